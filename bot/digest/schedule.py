"""When weekly pushes fall: a weekday at a local wall-clock time, built from the local date so DST
never moves it (as bot.domain.schedule does for the daily ones)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.schedule import local_instant

SUNDAY, MONDAY = 6, 0
DIGEST_DAY, DIGEST_AT = SUNDAY, time(18, 0)


def weekly_at(weekday: int, at: time, zone: ZoneInfo, after: datetime) -> datetime:
    """The first `weekday` (Monday is 0) at local `at` strictly after `after`."""
    today = after.astimezone(zone).date()
    for offset in range(8):
        day = today + timedelta(days=offset)
        if day.weekday() == weekday and (instant := local_instant(day, at, zone)) > after:
            return instant
    raise AssertionError("a week always has that weekday")


def next_digest_at(zone: ZoneInfo, after: datetime) -> datetime:
    return weekly_at(DIGEST_DAY, DIGEST_AT, zone, after)
