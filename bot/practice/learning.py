"""Recording one answer: the FSRS card moves, the answer is kept, its points are credited to the
learner and to each of their groups' weeks, and meeting the daily goal moves the streak on."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.cards import review
from bot.domain.models import AnswerRecord
from bot.domain.points import points_for
from bot.domain.questions import Question
from bot.domain.schedule import week_start
from bot.domain.streaks import goal_met
from bot.turn import Turn


async def learn(turn: Turn, question: Question, correct: bool, bonus: int = 0) -> int:
    """Updates the learner's card and records the answer; returns the points it earned (`bonus`,
    a round's speed and streak bonus, included when the rules allow it)."""
    card = await turn.tx.answers.card(turn.learner.id, question.id)
    exam = turn.learner.exam_date
    due_by = turn.day_start(exam) if exam is not None and exam > turn.today else None
    await turn.tx.answers.save_card(turn.learner.id,
                            review(turn.scheduler, question.id, card, correct, turn.now, due_by))
    today = await turn.tx.answers.answers_since(turn.learner.id, turn.day_start())
    earned = points_for(correct=correct, is_review=card is not None,
                        repeated_today=any(a.question_id == question.id for a in today),
                        earned_today=sum(a.points for a in today), bonus=bonus)
    await turn.tx.answers.record_answer(turn.learner.id, AnswerRecord(
        question.id, question.domain, correct, is_review=card is not None, answered_at=turn.now,
        points=earned))
    if earned:
        weeks = [(g.platform, g.chat_id, week_start(turn.now, ZoneInfo(g.timezone or turn.default_timezone))
                  .date()) for g in await turn.tx.groups.learner_groups(turn.learner.id)]
        await turn.tx.points.add_points(turn.learner.id, earned, weeks)
    await note_progress(turn, len(today) + 1)
    return earned


async def note_progress(turn: Turn, answered_today: int) -> None:
    """Counts today for the streak once the daily goal is met; saving it also moves the evening
    streak check to the next day it could matter."""
    if answered_today >= turn.learner.daily_goal and turn.learner.streak.last_day != turn.today:
        await turn.save_learner(streak=goal_met(turn.learner.streak, turn.today))
