"""Recording one answer, graded by bot.domain.grading: the FSRS card moves, the answer is kept, its
points are credited to the learner and to each of their groups' weeks, and meeting the daily goal
moves the streak on."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.domain.grading import Attempt, Mode, Verdict, grade
from bot.domain.models import AnswerRecord
from bot.domain.questions import Question, stored_letter
from bot.domain.schedule import week_start
from bot.domain.streaks import goal_met
from bot.turn import Turn


async def attempt(turn: Turn, question: Question, letter: str, mode: Mode, order: str | None, *,
                  elapsed: timedelta = timedelta(0), limit: timedelta | None = None,
                  run: int = 0) -> Attempt:
    """What grading needs from storage: the learner's card for the question and today's answers.
    A card learned on an earlier version of the question starts afresh (its key may have changed)."""
    exam = turn.learner.exam_date
    card = await turn.tx.answers.card(turn.learner.id, question.id)
    if card is not None and (card.question_version or 1) < question.version:
        card = None
    return Attempt(
        question, letter, mode, turn.now, card=card,
        today=await turn.tx.answers.answers_since(turn.learner.id, turn.day_start()),
        elapsed=elapsed, limit=limit, run=run,
        due_by=turn.day_start(exam) if exam is not None and exam > turn.today else None, order=order,
    )


async def record(turn: Turn, attempt: Attempt, verdict: Verdict) -> int:
    """Stores a graded answer: the new card, the answer with its points (also on each of the
    learner's groups' weekly boards), and the streak once the day's goal is met. Returns the
    answers given today, this one included."""
    question = attempt.question
    assert question is not None and verdict.card is not None  # only graded questions move a card
    await turn.tx.answers.save_card(turn.learner.id, verdict.card)
    await turn.tx.answers.record_answer(turn.learner.id, AnswerRecord(
        question.id, question.domain, verdict.correct, is_review=attempt.card is not None,
        answered_at=turn.now, points=verdict.points, choice=stored_letter(attempt.order, attempt.letter),
        question_version=question.version))
    if verdict.points:
        weeks = [(g.platform, g.chat_id, week_start(turn.now, ZoneInfo(g.timezone or turn.default_timezone))
                  .date()) for g in await turn.tx.groups.learner_groups(turn.learner.id)]
        await turn.tx.points.add_points(turn.learner.id, verdict.points, weeks)
    done = await answered_today(turn)
    await note_progress(turn, done)
    return done


async def learn(turn: Turn, question: Question, letter: str, mode: Mode, order: str | None) -> int:
    """Grades and stores one answer outside a round (`question` as shown, in `order`); the answers
    given today, this one included."""
    graded = await attempt(turn, question, letter, mode, order)
    return await record(turn, graded, grade(graded, turn.scheduler))


async def answered_today(turn: Turn) -> int:
    """Answers since the learner's local midnight, practice and mock alike (bot.domain.figures)."""
    counts = await turn.tx.answers.answer_counts([turn.learner.id], turn.day_start())
    return counts.get(turn.learner.id, 0)


async def note_progress(turn: Turn, answered_today: int) -> None:
    """Counts today for the streak once the daily goal is met; saving it also moves the evening
    streak check to the next day it could matter."""
    if answered_today >= turn.learner.daily_goal and turn.learner.streak.last_day != turn.today:
        await turn.save_learner(streak=goal_met(turn.learner.streak, turn.today))
