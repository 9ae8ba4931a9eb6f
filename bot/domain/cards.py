"""Spaced review: each learner x question pair is an FSRS card; a right answer is Good, a wrong one Again.

The bot never asks a question twice on one day, so FSRS's minute-long learning steps are turned off:
every interval is measured in days. Cards are plain values; storage keeps their fields as columns.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler, State

from bot.domain.models import CardState


def make_scheduler(*, fuzz: bool = True) -> Scheduler:
    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=fuzz)


def _to_fsrs(card: CardState | None, now: datetime) -> Card:
    if card is None:
        return Card(card_id=0, state=State.Learning, due=now)
    return Card(
        card_id=0, state=State(card.state), step=None if card.state == State.Review else 0,
        stability=card.stability, difficulty=card.difficulty,
        due=card.due.astimezone(UTC), last_review=card.last_review and card.last_review.astimezone(UTC),
    )


def review(scheduler: Scheduler, question_id: str, card: CardState | None, correct: bool,
           now: datetime, due_by: datetime | None = None) -> CardState:
    """The card after one answer at `now` (a new card when the question was never seen).

    `due_by` caps the next due date (the learner's exam day): an interval that would end after the
    exam is useless for it, so the card comes back by then; its memory state is unchanged.
    """
    now = now.astimezone(UTC)
    updated, _log = scheduler.review_card(
        _to_fsrs(card, now), Rating.Good if correct else Rating.Again, review_datetime=now
    )
    return CardState(
        question_id=question_id, state=int(updated.state), stability=updated.stability,
        difficulty=updated.difficulty,
        due=min(updated.due, due_by.astimezone(UTC)) if due_by else updated.due,
        last_review=updated.last_review,
    )


def retrievability(scheduler: Scheduler, card: CardState, now: datetime) -> float:
    """Probability of recall now: lower means more forgotten, so it is reviewed first."""
    return float(scheduler.get_card_retrievability(_to_fsrs(card, now), now.astimezone(UTC)))
