"""The daily-goal streak with freezes. Pure: the state is stored on the learner and moved on only
when an answer meets the goal, so nothing has to run at midnight.

A day counts once the learner meets their daily goal, in their own time zone. Every FREEZE_EVERY
counted days earn a freeze (at most MAX_FREEZES held); each covers one missed day automatically, so
the streak survives it (the covered day keeps the streak without adding to it). If more days were
missed than freezes held, the streak starts again and the freezes are kept for the next one.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.models import Streak

FREEZE_EVERY = 7
MAX_FREEZES = 2


def as_of(streak: Streak, today: date) -> Streak:
    """The streak as it stands at the start of `today`, missed days since settled."""
    if streak.last_day is None:
        return streak
    missed = (today - streak.last_day).days - 1
    if missed <= 0:
        return streak
    if missed <= streak.freezes:
        return Streak(streak.days, today - timedelta(days=1), streak.freezes - missed)
    return Streak(0, None, streak.freezes)


def goal_met(streak: Streak, today: date) -> Streak:
    """The streak once today's goal is met (meeting it twice in a day changes nothing)."""
    current = as_of(streak, today)
    if current.last_day == today:
        return current
    days = current.days + 1
    earned = 1 if days % FREEZE_EVERY == 0 else 0
    return Streak(days, today, min(MAX_FREEZES, current.freezes + earned))


def at_risk(streak: Streak, day: date) -> bool:
    """A streak is running into `day` and that day's goal is not met yet."""
    current = as_of(streak, day)
    return current.days > 0 and current.last_day != day
