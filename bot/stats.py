"""The /stats summary: volume, accuracy overall and per domain beside its exam weight, streak, due,
and readiness for the exam."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from bot.domains import DOMAINS
from bot.readiness import readiness_lines
from bot.selection import DomainRecord
from bot.turn import Turn

STREAK_LOOKBACK_DAYS = 400


def streak(days_with_goal_met: set[date], today: date) -> int:
    """Consecutive days with the goal met, ending today, or yesterday while today is still open."""
    day = today if today in days_with_goal_met else today - timedelta(days=1)
    count = 0
    while day in days_with_goal_met:
        count += 1
        day -= timedelta(days=1)
    return count


def _accuracy(record: DomainRecord) -> str:
    return f"{100 * record.correct / record.answered:.0f}%"


async def stats(turn: Turn) -> str:
    learner_id = turn.learner.id
    records = await turn.tx.domain_records(learner_id)
    total = DomainRecord(sum(r.answered for r in records.values()),
                         sum(r.correct for r in records.values()))
    if not total.answered:
        return "No answers yet. Send /quiz for your first question."
    since = turn.day_start(turn.today - timedelta(days=STREAK_LOOKBACK_DAYS))
    per_day = Counter(t.astimezone(turn.zone).date()
                      for t in await turn.tx.answer_days(learner_id, since))
    goal = turn.learner.daily_goal
    days = streak({d for d, n in per_day.items() if n >= goal}, turn.today)
    due = await turn.tx.count_due(learner_id, turn.day_end())
    lines = [
        "Your CMAS progress",
        f"Answered: {total.answered} · accuracy {_accuracy(total)}",
        f"Streak: {days} day{'s' if days != 1 else ''} (a day counts at {goal} answers)",
        f"Today: {per_day.get(turn.today, 0)}/{goal} · reviews due by tonight: {due}",
        "",
        "By domain (exam weight):",
    ]
    for d in DOMAINS:
        record = records.get(d.number)
        shown = f"{_accuracy(record)} of {record.answered}" if record else "no answers yet"
        lines.append(f"D{d.number} {d.short} ({d.weight}%): {shown}")
    lines += ["", *readiness_lines(await turn.tx.first_attempts(learner_id), turn.now)]
    return "\n".join(lines)
