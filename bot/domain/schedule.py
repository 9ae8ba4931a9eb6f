"""When a learner is owed a push: the daily prompt at their local reminder time, the evening streak
check, and exam milestones; and where a group's week begins.

Pure date arithmetic in the local zone, so DST never moves a 19:00 reminder: each instant is built
from a local date and wall-clock time, then converted to UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.models import Group, Learner, PushKind
from bot.domain.streaks import MAX_FREEZES, at_risk

# Days before the exam that get a countdown message; 0 is exam morning, -1 the day after.
MILESTONES = (60, 30, 14, 7, 3, 1, 0, -1)
MILESTONE_TIME = time(9, 0)  # when milestones arrive for learners without a daily reminder
# A push missed while the bot was down is still sent on its local day, up to this late.
STALE_AFTER = timedelta(hours=6)
# When a learner with reminders on hears that today's goal is still open and their streak at risk.
STREAK_CHECK = time(20, 0)


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


def streak_check_at(learner: Learner, zone: ZoneInfo, after: datetime) -> datetime | None:
    """The first evening check strictly after `after` on a day the streak would be at risk; only
    for learners who turned reminders on. None once the streak could not last that long."""
    if learner.remind_at is None:
        return None
    today = after.astimezone(zone).date()
    for offset in range(MAX_FREEZES + 3):  # beyond that, the streak is over whatever happens
        day = today + timedelta(days=offset)
        instant = local_instant(day, STREAK_CHECK, zone)
        if instant > after and at_risk(learner.streak, day):
            return instant
    return None


def years_certified(certified_on: date | None, day: date) -> int | None:
    """Whole years since the pass if `day` is one of its anniversaries (29 Feb counts on 28 Feb
    in other years), else None."""
    if certified_on is None or day <= certified_on:
        return None
    years = day.year - certified_on.year
    return years if anniversary(certified_on, day.year) == day else None


def anniversary(certified_on: date, year: int) -> date:
    """The pass date's anniversary in `year`."""
    try:
        return certified_on.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def renewal_at(learner: Learner, zone: ZoneInfo, after: datetime) -> datetime | None:
    """The next anniversary of the learner's pass, at their reminder time (else 09:00): AMT asks
    for CCP points every year, so each year gets a nudge."""
    if learner.certified_on is None:
        return None
    at = learner.remind_at or MILESTONE_TIME
    year = max(after.astimezone(zone).year, learner.certified_on.year + 1)
    for candidate in (year, year + 1):
        instant = local_instant(anniversary(learner.certified_on, candidate), at, zone)
        if instant > after:
            return instant
    return None


def learner_schedule(learner: Learner, default_timezone: str, after: datetime) -> datetime | None:
    """The learner's next push of any kind: the single due time the scheduler's index reads."""
    zone = ZoneInfo(learner.timezone or default_timezone)
    due = [at for at in (next_push_at(learner.remind_at, learner.exam_date, zone, after),
                         streak_check_at(learner, zone, after), renewal_at(learner, zone, after))
           if at is not None]
    return min(due, default=None)


def push_kind(learner: Learner, due: datetime, zone: ZoneInfo) -> PushKind:
    """Which push `due` was scheduled for. A
    renewal or milestone day rides in the daily prompt when there is one. A reminder set
    at the streak check's time wins: one message that evening, not two."""
    day = due.astimezone(zone).date()
    if learner.remind_at is None:
        return PushKind.RENEWAL if years_certified(learner.certified_on, day) else PushKind.MILESTONE
    evening = local_instant(day, STREAK_CHECK, zone)
    if due == evening and evening != local_instant(day, learner.remind_at, zone):
        return PushKind.STREAK_RISK
    return PushKind.DAILY


def week_start(now: datetime, zone: ZoneInfo) -> datetime:
    """Monday 00:00 of the current week in `zone` (a group's), as an aware instant."""
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=zone)


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
