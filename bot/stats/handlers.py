"""The /stats summary: volume, accuracy overall and per domain beside its exam weight, streak, due,
and readiness for the exam."""

from __future__ import annotations

from bot.domain.exam import DOMAINS
from bot.domain.figures import overall, percent
from bot.domain.models import DomainRecord
from bot.domain.readiness import readiness_lines
from bot.domain.streaks import FREEZE_EVERY, MAX_FREEZES, as_of
from bot.practice.learning import answered_today
from bot.turn import Turn


def _accuracy(record: DomainRecord) -> str:
    return f"{percent(record.correct, record.answered)}%"


async def stats(turn: Turn) -> str:
    learner_id = turn.learner.id
    records = await turn.tx.answers.domain_records(learner_id)
    total = overall(records)
    if not total.answered:
        return "No answers yet. Send /quiz for your first question."
    today = await answered_today(turn)
    goal = turn.learner.daily_goal
    streak = as_of(turn.learner.streak, turn.today)
    due = await turn.tx.answers.count_due(learner_id, turn.day_end())
    lines = [
        "Your CMAS progress",
        f"Answered: {total.answered} · accuracy {_accuracy(total)}",
        f"Streak: {streak.days} day{'s' if streak.days != 1 else ''} (a day counts at {goal} answers) · "
        f"freezes held: {streak.freezes} of {MAX_FREEZES} (one more every {FREEZE_EVERY} streak days)",
        f"Today: {today}/{goal} · reviews due by tonight: {due}",
        "",
        "By domain (exam weight):",
    ]
    for d in DOMAINS:
        record = records.get(d.number)
        shown = f"{_accuracy(record)} of {record.answered}" if record else "no answers yet"
        lines.append(f"D{d.number} {d.short} ({d.weight}%): {shown}")
    lines += ["", *readiness_lines(await turn.tx.answers.first_attempts(learner_id), turn.now)]
    return "\n".join(lines)
