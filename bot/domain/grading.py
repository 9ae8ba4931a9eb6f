"""Grading: one pure function for every way a question is answered (practice, live rounds, mocks).

Whether the choice is right, what it earns and how the learner's memory of the question moves are
decided here and nowhere else, so the three ways to answer cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from fsrs import Scheduler

from bot.domain.cards import review
from bot.domain.models import AnswerRecord, CardState
from bot.domain.points import points_for, speed_bonus, streak_bonus
from bot.domain.questions import Question


class Mode(StrEnum):
    PRACTICE = "practice"  # a private question: the card moves and points are earned
    GROUP = "group"  # the scheduled daily group question: like practice
    ROUND = "round"  # a live round: also a speed and an answer-streak bonus
    MOCK = "mock"  # a simulation: it measures, so no card moves and nothing is earned


@dataclass(frozen=True, slots=True)
class Attempt:
    """One answer and what grading needs to know around it."""

    question: Question | None  # as shown (bot.domain.questions.presented); None: gone from the bank
    letter: str  # as shown
    mode: Mode
    at: datetime
    card: CardState | None = None  # the learner's memory of the question before (None: first time)
    today: Sequence[AnswerRecord] = ()  # the learner's answers so far today (repeats, daily cap)
    elapsed: timedelta = timedelta(0)  # a round: from the question's post to the press
    limit: timedelta | None = None  # a round: how long the question is open
    run: int = 0  # a round: the member's correct answers in a row before this one
    due_by: datetime | None = None  # the exam day: no review is scheduled after it
    order: str | None = None  # the order the choices were shown in, to name the stored choice


@dataclass(frozen=True, slots=True)
class Verdict:
    correct: bool
    points: int
    speed: int  # the speed bonus inside `points` (rounds)
    streak: int  # the answer-streak bonus inside `points` (rounds)
    run: int  # correct answers in a row including this one (rounds)
    card: CardState | None  # the memory state after; None when the card does not move (mocks)


def grade(attempt: Attempt, scheduler: Scheduler) -> Verdict:
    question = attempt.question
    correct = question is not None and attempt.letter == question.answer
    if question is None or attempt.mode is Mode.MOCK:
        return Verdict(correct, 0, 0, 0, 0, None)
    in_round = attempt.mode is Mode.ROUND
    run = attempt.run + 1 if in_round and correct else 0
    speed = speed_bonus(attempt.elapsed, attempt.limit) if in_round and correct and attempt.limit else 0
    streak = streak_bonus(run) if in_round else 0
    points = points_for(correct=correct, is_review=attempt.card is not None,
                        repeated_today=any(a.question_id == question.id for a in attempt.today),
                        earned_today=sum(a.points for a in attempt.today), bonus=speed + streak)
    card = replace(review(scheduler, question.id, attempt.card, correct, attempt.at, attempt.due_by),
                   question_version=question.version)
    return Verdict(correct, points, speed, streak, run, card)
