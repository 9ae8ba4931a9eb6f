"""The /stats summary: volume, accuracy overall and per domain beside its exam weight, streak, due,
and readiness for the exam."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.exam import DOMAINS
from bot.domain.figures import overall, percent
from bot.domain.models import DomainRecord, Streak
from bot.domain.readiness import readiness_lines
from bot.domain.streaks import FREEZE_EVERY, MAX_FREEZES, as_of
from bot.inputs.settings import GOAL_MAX
from bot.practice.learning import answered_today
from bot.turn import Turn


def _accuracy(record: DomainRecord) -> str:
    return f"{percent(record.correct, record.answered)}%"


@dataclass(frozen=True, slots=True)
class Today:
    """Today's figures (bot.domain.figures), read in one place for /stats and the welcome back."""

    answered: int
    goal: int
    due: int  # reviews due by the end of the local day
    streak: Streak


async def today(turn: Turn) -> Today:
    return Today(await answered_today(turn), turn.learner.daily_goal,
                 await turn.tx.answers.count_due(turn.learner.id, turn.day_end()),
                 as_of(turn.learner.streak, turn.today))


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


async def status(turn: Turn) -> str:
    """Where today stands, in one line: what a returning learner sees first."""
    now = await today(turn)
    return (f"Today: {now.answered}/{now.goal} answered · reviews due by tonight: {now.due} · "
            f"streak: {_days(now.streak.days)}")


BACKLOG_DAYS = 3


def _backlog_warning(due: int, goal: int) -> list[str]:
    """When reviews due exceed BACKLOG_DAYS days of the goal: how to catch up."""
    if due <= BACKLOG_DAYS * goal:
        return []
    catch_up = min(GOAL_MAX, -(-due // BACKLOG_DAYS))
    return [f"That is more than {BACKLOG_DAYS} days of your goal in reviews: /daily serves them first; "
            f"/goal {catch_up} for a few days would clear them by then."]


async def stats(turn: Turn) -> str:
    learner_id = turn.learner.id
    records = await turn.tx.answers.domain_records(learner_id)
    total = overall(records)
    if not total.answered:
        return "No answers yet. Send /quiz for your first question."
    now = await today(turn)
    lines = [
        "Your CMAS progress",
        f"Answered: {total.answered} · accuracy {_accuracy(total)}",
        f"Streak: {_days(now.streak.days)} (a day counts at {now.goal} answers) · "
        f"freezes held: {now.streak.freezes} of {MAX_FREEZES} (one more every {FREEZE_EVERY} streak days)",
        f"Today: {now.answered}/{now.goal} · reviews due by tonight: {now.due}",
        *_backlog_warning(now.due, now.goal),
        "",
        "By domain (exam weight):",
    ]
    for d in DOMAINS:
        record = records.get(d.number)
        shown = f"{_accuracy(record)} of {record.answered}" if record else "no answers yet"
        lines.append(f"D{d.number} {d.short} ({d.weight}%): {shown}")
    readiness, forecast = readiness_lines(await turn.tx.answers.first_attempts(learner_id), turn.now,
                                          turn.learner.last_readiness)
    lines += ["", *readiness]
    if forecast is not None:
        await turn.save_learner(last_readiness=(forecast.mean_pct, forecast.pass_chance))
    return "\n".join(lines)
