"""The question bank on disk: the file format, loading, and per-question validation.

Content files are untrusted input like any other: every problem is reported with its file and id
instead of failing on the first one, so a writer can fix a whole file in one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.domain.questions import Bank, Question

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class QuestionFormat(BaseModel):
    """The on-disk shape of one question; field limits come from the content guidelines."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: Annotated[str, StringConstraints(pattern=r"^d[1-8]-\d{4}$")]
    domain: Annotated[int, Field(ge=1, le=8)]
    topic: Text
    difficulty: Literal[1, 2, 3]
    stem: Annotated[str, StringConstraints(strip_whitespace=True, min_length=15, max_length=350)]
    choices: Annotated[
        list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]],
        Field(min_length=4, max_length=4),
    ]
    answer: Literal["A", "B", "C", "D"]
    explanation: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=40, max_length=600)
    ]
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10)]
    # A new version whenever the stem or the key changes: old answers stay with the version they saw.
    version: Annotated[int, Field(ge=1)] = 1
    # Kept for the history of those who answered it, never asked again.
    retired: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.message}"


# Choices that point at other choices instead of standing alone.
_BANNED_CHOICE = re.compile(r"\b(all|none|both|neither) of (the )?(above|these)\b", re.I)
_LETTER_CHOICE = re.compile(r"(Both )?[A-D],? (and|or) [A-D]\.?")
_LOWERCASE_NEGATIVE = re.compile(r"\b(not|except)\b")


def style_problems(q: Question) -> list[str]:
    """Checks the writing rules a schema cannot express."""
    found = []
    if len({c.lower() for c in q.choices}) != 4:
        found.append("choices must be distinct")
    found += [f"banned choice {c!r}" for c in q.choices
              if _BANNED_CHOICE.search(c) or _LETTER_CHOICE.fullmatch(c)]
    if _LOWERCASE_NEGATIVE.search(q.stem):
        found.append("negative stem: write NOT/EXCEPT in capitals, or rephrase")
    return found


def parse_file(path: Path) -> tuple[list[Question], list[Problem]]:
    """Reads one YAML file of questions, returning the valid ones and every problem found."""
    name = path.name
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError) as exc:
        return [], [Problem(name, "file", f"unreadable: {exc}")]
    if not isinstance(raw, list):
        return [], [Problem(name, "file", "must be a YAML list of questions")]
    questions: list[Question] = []
    problems: list[Problem] = []
    for index, item in enumerate(raw):
        label = str(item.get("id")) if isinstance(item, dict) and "id" in item else f"#{index + 1}"
        try:
            fmt = QuestionFormat.model_validate(item)
        except ValidationError as exc:
            problems += [
                Problem(name, label, f"{'.'.join(map(str, e['loc'])) or 'item'}: {e['msg']}")
                for e in exc.errors()
            ]
            continue
        question = Question(
            id=fmt.id, domain=fmt.domain, topic=fmt.topic, difficulty=fmt.difficulty,
            stem=fmt.stem, choices=(fmt.choices[0], fmt.choices[1], fmt.choices[2], fmt.choices[3]),
            answer=fmt.answer, explanation=fmt.explanation, source=fmt.source,
            version=fmt.version, retired=fmt.retired,
        )
        if not question.id.startswith(f"d{question.domain}-"):
            problems.append(Problem(name, label, "id prefix does not match domain"))
        problems += [Problem(name, label, msg) for msg in style_problems(question)]
        questions.append(question)
    return questions, problems


def question_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def load_questions(directory: Path) -> tuple[list[Question], list[Problem]]:
    questions: list[Question] = []
    problems: list[Problem] = []
    for path in question_files(directory):
        found, errors = parse_file(path)
        questions += found
        problems += errors
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            problems.append(Problem("bank", q.id, "duplicate id"))
        seen.add(q.id)
    return questions, problems


class BankError(RuntimeError):
    """The bank on disk cannot be served; the message lists why."""


def load_bank(directory: Path) -> Bank:
    """Loads the bank for serving; refuses a bank with format problems rather than serve a bad key."""
    questions, problems = load_questions(directory)
    if problems:
        listing = "\n".join(str(p) for p in problems[:20])
        raise BankError(
            f"{len(problems)} problem(s) in {directory} (run `cmas-bot content check`):\n{listing}")
    if not questions:
        raise BankError(f"no questions found in {directory}")
    return Bank(questions, as_of=_as_of(directory.parent / "bank.yaml"))


def _as_of(path: Path) -> date | None:
    """The date the bank's facts were last checked (content/bank.yaml), if the file says."""
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, yaml.YAMLError) as exc:
        raise BankError(f"{path}: unreadable: {exc}") from None
    value = meta.get("as_of") if isinstance(meta, dict) else None
    if not isinstance(value, date):
        raise BankError(f"{path}: as_of must be a date such as 2026-12-06")
    return value

