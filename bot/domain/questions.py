"""Questions as the core sees them: a stem, four choices, the key, and where the fact comes from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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

    def __init__(self, questions: Sequence[Question]) -> None:
        self.questions = tuple(questions)  # every version kept for history, retired ones included
        self.askable = tuple(q for q in self.questions if not q.retired)
        self._by_id = {q.id: q for q in self.questions}
        self._by_domain: dict[int, tuple[Question, ...]] = {
            d: tuple(q for q in self.askable if q.domain == d) for d in range(1, 9)
        }

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def in_domain(self, domain: int) -> tuple[Question, ...]:
        """The questions of a domain that may still be asked."""
        return self._by_domain.get(domain, ())

    def __len__(self) -> int:
        return len(self.askable)
