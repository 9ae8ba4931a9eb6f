"""When a learner is owed a push: the daily prompt at their local reminder time, and exam milestones.

Pure date arithmetic in the learner's zone, so DST never moves a 19:00 reminder: each instant is
built from a local date and wall-clock time, then converted to UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.models import Group, Learner

# Days before the exam that get a countdown message; 0 is exam morning, -1 the day after.
MILESTONES = (60, 30, 14, 7, 3, 1, 0, -1)
MILESTONE_TIME = time(9, 0)  # when milestones arrive for learners without a daily reminder
# A push missed while the bot was down is still sent on its local day, up to this late.
STALE_AFTER = timedelta(hours=6)


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def milestone(exam: date | None, day: date) -> int | None:
    """Days to the exam if `day` is a milestone day, else None."""
    if exam is None:
        return None
    left = (exam - day).days
    return left if left in MILESTONES else None


def next_push_at(remind_at: time | None, exam: date | None, zone: ZoneInfo,
                 after: datetime) -> datetime | None:
    """The first push instant strictly after `after`, or None when nothing is owed any more."""
    today = after.astimezone(zone).date()
    if remind_at is not None:
        for day in (today, today + timedelta(days=1), today + timedelta(days=2)):
            instant = local_instant(day, remind_at, zone)
            if instant > after:
                return instant
    if exam is not None:
        for left in MILESTONES:
            instant = local_instant(exam - timedelta(days=left), MILESTONE_TIME, zone)
            if instant > after:
                return instant
    return None


def is_stale(due: datetime, now: datetime, zone: ZoneInfo) -> bool:
    """Too late to send: another local day has begun, or it is more than STALE_AFTER late."""
    return now - due > STALE_AFTER or now.astimezone(zone).date() != due.astimezone(zone).date()


def learner_schedule(learner: Learner, default_timezone: str, after: datetime) -> datetime | None:
    zone = ZoneInfo(learner.timezone or default_timezone)
    return next_push_at(learner.remind_at, learner.exam_date, zone, after)


def group_schedule(group: Group, default_timezone: str, after: datetime) -> datetime:
    """Daily at the group's question time, else Mondays at 09:00 for the weekly summary."""
    zone = ZoneInfo(group.timezone or default_timezone)
    today = after.astimezone(zone).date()
    for offset in range(8):
        day = today + timedelta(days=offset)
        if group.daily_question_at is None and day.weekday() != 0:
            continue
        instant = local_instant(day, group.daily_question_at or MILESTONE_TIME, zone)
        if instant > after:
            return instant
    raise AssertionError("a week always has a Monday")
