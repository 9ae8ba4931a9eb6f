"""Questions as the core sees them: a stem, four choices, the key, and where the fact comes from."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

LETTERS = ("A", "B", "C", "D")


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    domain: int
    topic: str
    difficulty: int
    stem: str
    choices: tuple[str, str, str, str]
    answer: str
    explanation: str
    source: str
    version: int = 1
    retired: bool = False

    @property
    def answer_text(self) -> str:
        return self.choices[LETTERS.index(self.answer)]


class Bank:
    """The loaded question bank, indexed by id and by domain."""

    def __init__(self, questions: Sequence[Question], as_of: date | None = None) -> None:
        self.as_of = as_of  # when its facts were last checked against current sources
        self.questions = tuple(questions)  # every version kept for history, retired ones included
        self.askable = tuple(q for q in self.questions if not q.retired)
        self._by_id = {q.id: q for q in self.questions}
        self._by_domain: dict[int, tuple[Question, ...]] = {
            d: tuple(q for q in self.askable if q.domain == d) for d in range(1, 9)
        }

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    @property
    def topics(self) -> dict[str, int]:
        """Every topic that has a question to ask, with its domain."""
        return {q.topic: q.domain for q in self.askable}

    def in_domain(self, domain: int) -> tuple[Question, ...]:
        """The questions of a domain that may still be asked."""
        return self._by_domain.get(domain, ())

    def __len__(self) -> int:
        return len(self.askable)


# Choices that are amounts, counts, ratios or times keep their stored (ascending) order: reordered,
# the odd one out would give the key away.
_NUMERIC = re.compile(r"^[$~<>+-]?\s*\d")


def new_order(question: Question, rng: random.Random | None) -> str | None:
    """A fresh order to show the choices in ("2031": shown A is stored choice C ...), or None to keep
    the stored order (numeric choices, or no `rng`: a deployment or test that turned shuffling off)."""
    if rng is None or all(_NUMERIC.match(choice) for choice in question.choices):
        return None
    order = list(range(len(LETTERS)))
    rng.shuffle(order)
    return "".join(map(str, order))


def presented(question: Question, order: str | None) -> Question:
    """The question as it was shown: choices in `order`, the key's letter moved with its choice.
    Every later view of that presentation (the verdict, a review, a restart) uses the same letters."""
    if not order:
        return question
    picks = [int(c) for c in order]
    key = LETTERS[picks.index(LETTERS.index(question.answer))]
    return replace(question, choices=(question.choices[picks[0]], question.choices[picks[1]],
                                      question.choices[picks[2]], question.choices[picks[3]]), answer=key)


def stored_letter(order: str | None, shown: str) -> str:
    """The stored choice behind a letter as shown."""
    return LETTERS[int(order[LETTERS.index(shown)])] if order else shown
