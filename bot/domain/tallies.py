"""Per question, what one learner's answers add up to: how often answered, how often wrong, when
last. The answers are the ones every figure counts (bot.domain.figures): practice, rounds and mock
answers alike; a mock question left unanswered is no answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class QuestionTally:
    question_id: str
    answered: int
    wrong: int
    last_answered: datetime

    @property
    def missed(self) -> bool:
        """A missed question is one answered wrong at least once: the learner met its trap, so it
        stays worth a card even after later answers came out right."""
        return self.wrong > 0
