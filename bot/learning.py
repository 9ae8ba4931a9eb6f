"""Recording one answer: the FSRS card moves, the answer is kept, and points are earned."""

from __future__ import annotations

from bot.content import Question
from bot.models import AnswerRecord
from bot.points import points_for
from bot.review import review
from bot.turn import Turn


async def learn(turn: Turn, question: Question, correct: bool) -> int:
    """Updates the learner's card and records the answer; returns the points it earned."""
    card = await turn.tx.card(turn.learner.id, question.id)
    exam = turn.learner.exam_date
    due_by = turn.day_start(exam) if exam is not None and exam > turn.today else None
    await turn.tx.save_card(turn.learner.id,
                            review(turn.scheduler, question.id, card, correct, turn.now, due_by))
    today = await turn.tx.answers_since(turn.learner.id, turn.day_start())
    earned = points_for(correct=correct, is_review=card is not None,
                        repeated_today=any(a.question_id == question.id for a in today),
                        earned_today=sum(a.points for a in today))
    await turn.tx.record_answer(turn.learner.id, AnswerRecord(
        question.id, question.domain, correct, is_review=card is not None, answered_at=turn.now,
        points=earned))
    return earned
