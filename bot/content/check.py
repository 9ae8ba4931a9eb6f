"""`cmas-bot content check`: the rules a bank must meet before learners see it.

Beyond each question's format: the domain minimums of the blueprint, answer-letter balance, the
share of application questions, topic coverage, near-duplicate stems, and an independent review of
every question recorded in `content/reviews/`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

import yaml

from bot.content.bank import Problem, load_questions
from bot.domain.blueprint import allocate
from bot.domain.exam import FORM_QUESTIONS
from bot.domain.questions import LETTERS, Question

# Bank v2: 1,000 questions x blueprint weight, five disjoint full mocks.
BANK_SIZE = 1000
DOMAIN_MINIMUMS: Mapping[int, int] = {d: BANK_SIZE * n // FORM_QUESTIONS
                                      for d, n in allocate(FORM_QUESTIONS).items()}
TOPIC_MINIMUM = 4
# A source names the year or edition its fact reflects, so a reader can tell when to check it again.
_DATED = re.compile(r"\b(19|20)\d\d\b")
LETTER_SHARE = (0.20, 0.30)
MIN_APPLIED_SHARE = 0.40  # difficulty 2 or 3
NEAR_DUPLICATE = 0.6  # Jaccard similarity of word pairs in two stems
ACCEPTED = {"pass", "fixed"}
VERDICTS = ACCEPTED | {"dropped"}


@dataclass(frozen=True)
class Rules:
    minimums: Mapping[int, int] = field(default_factory=lambda: dict(DOMAIN_MINIMUMS))
    topic_minimum: int = TOPIC_MINIMUM
    require_review: bool = True


@dataclass
class Report:
    questions: list[Question]
    problems: list[Problem]
    reviewed: Counter[str]

    def summary(self) -> str:
        n = len(self.questions)
        if not n:
            return "0 questions"
        domains = Counter(q.domain for q in self.questions)
        letters = Counter(q.answer for q in self.questions)
        applied = sum(q.difficulty > 1 for q in self.questions)
        return "\n".join((
            f"{n} questions, {len(self.problems)} problem(s)",
            "by domain: " + ", ".join(f"D{d} {domains[d]}" for d in sorted(domains)),
            "keys: " + ", ".join(f"{x} {letters[x] / n:.0%}" for x in LETTERS),
            f"difficulty 2-3: {applied / n:.0%}",
            "review: " + (", ".join(f"{v} {c}" for v, c in sorted(self.reviewed.items()))
                          or "no review logs"),
        ))


def check_bank(questions_dir: Path, rules: Rules | None = None) -> Report:
    """Checks the bank in `questions_dir`; topics and review logs are read from its parent folder."""
    rules = rules or Rules()
    questions, problems = load_questions(questions_dir)
    topics = _load_topics(questions_dir.parent / "topics.yaml", problems)
    problems += _topic_problems(questions, topics, rules.topic_minimum)
    problems += [Problem(f"d{q.domain}", q.id, "source names no year or edition (e.g. '... (2024)')")
                 for q in questions if not _DATED.search(q.source)]
    problems += _balance_problems(questions, rules)
    problems += _near_duplicates(questions)
    reviewed: Counter[str] = Counter()
    if rules.require_review:
        problems += _review_problems(questions, questions_dir.parent / "reviews", reviewed)
    return Report(questions, problems, reviewed)


def _load_topics(path: Path, problems: list[Problem]) -> dict[int, list[str]]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return {int(d): [str(t) for t in names] for d, names in raw.items()}
    except (OSError, yaml.YAMLError, AttributeError, TypeError, ValueError) as exc:
        problems.append(Problem(path.name, "file", f"unreadable topic list: {exc}"))
        return {}


def _topic_problems(questions: Sequence[Question], topics: Mapping[int, list[str]],
                    minimum: int) -> list[Problem]:
    found = [Problem(f"d{q.domain}", q.id, f"topic {q.topic!r} is not a D{q.domain} topic")
             for q in questions if topics and q.topic not in topics.get(q.domain, [])]
    used = Counter((q.domain, q.topic) for q in questions if not q.retired)
    domains = {q.domain for q in questions}
    found += [Problem(f"d{d}", "coverage", f"{used[d, t]} question(s) on topic {t!r}, needs at least "
                      f"{minimum}")
              for d, names in topics.items() if d in domains for t in names if used[d, t] < minimum]
    return found


def _balance_problems(questions: Sequence[Question], rules: Rules) -> list[Problem]:
    found = []
    n = len(questions)
    counts = Counter(q.domain for q in questions)
    found += [Problem("bank", f"D{d}", f"{counts[d]} questions, needs at least {need}")
              for d, need in rules.minimums.items() if counts[d] < need]
    if n:
        letters = Counter(q.answer for q in questions)
        low, high = LETTER_SHARE
        found += [Problem("bank", f"key {x}", f"{letters[x] / n:.0%} of keys, must be "
                          f"{low:.0%}-{high:.0%}") for x in LETTERS if not low <= letters[x] / n <= high]
        applied = sum(q.difficulty > 1 for q in questions) / n
        if applied < MIN_APPLIED_SHARE:
            found.append(Problem("bank", "difficulty", f"{applied:.0%} are difficulty 2-3, "
                                 f"needs at least {MIN_APPLIED_SHARE:.0%}"))
    return found


def _pairs(stem: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+", stem.lower())
    return frozenset(" ".join(p) for p in pairwise(words))


def _near_duplicates(questions: Sequence[Question]) -> list[Problem]:
    shingles = [(q, _pairs(q.stem)) for q in questions]
    found = []
    for (a, sa), (b, sb) in combinations(shingles, 2):
        if sa and sb and len(sa & sb) / len(sa | sb) >= NEAR_DUPLICATE:
            found.append(Problem(f"d{b.domain}", b.id, f"stem nearly duplicates {a.id}"))
    return found


def _logs_oldest_first(reviews_dir: Path, found: list[Problem]) -> list[tuple[Path, Any]]:
    """Review logs by `reviewed_on`, so a later re-review's verdict replaces an earlier one."""
    logs = []
    for path in sorted(reviews_dir.glob("*.yaml")):
        try:
            logs.append((path, yaml.safe_load(path.read_text(encoding="utf-8"))))
        except (OSError, yaml.YAMLError) as exc:
            found.append(Problem(path.name, "file", f"unreadable review log: {exc}"))
    return sorted(logs, key=lambda item: str(item[1].get("reviewed_on", "")
                                              if isinstance(item[1], dict) else ""))


def _review_problems(questions: Sequence[Question], reviews_dir: Path,
                     reviewed: Counter[str]) -> list[Problem]:
    verdicts: dict[str, str] = {}
    found: list[Problem] = []
    for path, log in _logs_oldest_first(reviews_dir, found):
        try:
            entries = log["verdicts"]
            writer, reviewer = str(log["writer"]), str(log["reviewer"])
        except (KeyError, TypeError) as exc:
            found.append(Problem(path.name, "file", f"unreadable review log: {exc}"))
            continue
        if writer.strip().lower() == reviewer.strip().lower():
            found.append(Problem(path.name, "file", "the reviewer must not be the writer"))
        for entry in entries:
            qid, verdict = str(entry.get("id")), str(entry.get("verdict"))
            if verdict not in VERDICTS:
                found.append(Problem(path.name, qid, f"unknown verdict {verdict!r}"))
            elif not str(entry.get("checked") or "").strip():
                found.append(Problem(path.name, qid, "verdict without what it was checked against"))
            elif verdict != "pass" and not str(entry.get("note") or "").strip():
                found.append(Problem(path.name, qid, f"{verdict} without a note saying why"))
            verdicts[qid] = verdict
            reviewed[verdict] += 1
    for q in questions:
        if verdicts.get(q.id) not in ACCEPTED:
            state = "was dropped by review" if q.id in verdicts else "has no review verdict"
            found.append(Problem(f"d{q.domain}", q.id, state))
    return found
