"""Recording answers, graded by bot.domain.grading: the FSRS card moves, the answer is kept, its
points are credited to the learner and to each of their groups' weeks, and meeting the daily goal
moves the streak on.

Everything here works on a set of answers at once, each statement covering all of them: a private
answer is a set of one, a burst of round presses a set of hundreds (bot.rounds.presses). One path,
so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.grading import Attempt, Mode, Verdict, grade
from bot.domain.models import AnswerRecord, CardState, Credit
from bot.domain.questions import Question, stored_letter
from bot.domain.schedule import week_start
from bot.domain.streaks import goal_met
from bot.ports.storage import UnitOfWork
from bot.turn import Turn


@dataclass(frozen=True, slots=True)
class Graded:
    """One learner's graded answer, ready to record."""

    turn: Turn
    attempt: Attempt
    verdict: Verdict


def attempt_of(turn: Turn, question: Question, letter: str, mode: Mode, order: str | None,
               card: CardState | None, today: Sequence[AnswerRecord], *,
               elapsed: timedelta = timedelta(0), limit: timedelta | None = None) -> Attempt:
    """The attempt, from the learner's card for the question and their answers today (read by the
    caller). A card learned on an earlier version of the question starts afresh (its key may have
    changed)."""
    if card is not None and (card.question_version or 1) < question.version:
        card = None
    exam = turn.learner.exam_date
    return Attempt(question, letter, mode, turn.now, card=card, today=today, elapsed=elapsed, limit=limit,
                   due_by=turn.day_start(exam) if exam is not None and exam > turn.today else None,
                   order=order)


async def answers_today(tx: UnitOfWork, turns: Collection[Turn]) -> dict[int, list[AnswerRecord]]:
    """Each learner's practice answers since their local midnight: one query per distinct midnight
    (a group mostly shares one time zone)."""
    found: dict[int, list[AnswerRecord]] = {}
    for since, learner_ids in _by_day_start(turns).items():
        found |= await tx.answers.answers_since_all(learner_ids, since)
    return found


async def record_all(tx: UnitOfWork, graded: Sequence[Graded]) -> list[int]:
    """Stores graded answers of distinct learners: the new cards, the answers with their points
    (also on each learner's groups' weekly boards), and streaks where the day's goal is met. Returns
    each learner's answers today, this one included, in order."""
    await tx.answers.save_cards([(g.turn.learner.id, _moved(g)) for g in graded])
    await tx.answers.record_answers([(g.turn.learner.id, _answer(g)) for g in graded])
    earning = [g for g in graded if g.verdict.points]
    if earning:
        groups = await tx.groups.groups_of([g.turn.learner.id for g in earning])
        await tx.points.add_points_all([Credit(g.turn.learner.id, g.verdict.points, tuple(
            (group.platform, group.chat_id,
             week_start(g.turn.now, ZoneInfo(group.timezone or g.turn.default_timezone)).date())
            for group in groups.get(g.turn.learner.id, []))) for g in earning])
    counts = await _answer_counts(tx, [g.turn for g in graded])
    done = [counts.get(g.turn.learner.id, 0) for g in graded]
    for g, answered in zip(graded, done, strict=True):
        await note_progress(g.turn, answered)
    return done


async def learn(turn: Turn, question: Question, letter: str, mode: Mode, order: str | None) -> int:
    """Grades and stores one answer outside a round (`question` as shown, in `order`); the answers
    given today, this one included."""
    card = await turn.tx.answers.card(turn.learner.id, question.id)
    today = await turn.tx.answers.answers_since(turn.learner.id, turn.day_start())
    graded = attempt_of(turn, question, letter, mode, order, card, today)
    [done] = await record_all(turn.tx, [Graded(turn, graded, grade(graded, turn.scheduler))])
    return done


async def answered_today(turn: Turn) -> int:
    """Answers since the learner's local midnight, practice and mock alike (bot.domain.figures)."""
    return (await _answer_counts(turn.tx, [turn])).get(turn.learner.id, 0)


async def note_progress(turn: Turn, answered_today: int) -> None:
    """Counts today for the streak once the daily goal is met; saving it also moves the evening
    streak check to the next day it could matter."""
    if answered_today >= turn.learner.daily_goal and turn.learner.streak.last_day != turn.today:
        await turn.save_learner(streak=goal_met(turn.learner.streak, turn.today))


async def _answer_counts(tx: UnitOfWork, turns: Collection[Turn]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for since, learner_ids in _by_day_start(turns).items():
        counts |= await tx.answers.answer_counts(learner_ids, since)
    return counts


def _by_day_start(turns: Collection[Turn]) -> dict[datetime, list[int]]:
    starts: dict[datetime, list[int]] = {}
    for turn in turns:
        starts.setdefault(turn.day_start(), []).append(turn.learner.id)
    return starts


def _moved(graded: Graded) -> CardState:
    assert graded.verdict.card is not None  # only graded questions move a card
    return graded.verdict.card


def _answer(graded: Graded) -> AnswerRecord:
    attempt, verdict = graded.attempt, graded.verdict
    question = attempt.question
    assert question is not None  # only a question still in the bank is graded
    return AnswerRecord(question.id, question.domain, verdict.correct, is_review=attempt.card is not None,
                        answered_at=graded.turn.now, points=verdict.points,
                        choice=stored_letter(attempt.order, attempt.letter),
                        question_version=question.version)
