"""Parsing of command arguments. Each parser returns a value or raises BadInput whose message is
what the learner sees: what was wrong and an example that works."""

from __future__ import annotations

import re
from datetime import date, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import BadInput

GOAL_MIN, GOAL_MAX = 1, 50
# AMT schedules exams through Pearson VUE; nobody books one years ahead, so a far date is a typo.
EXAM_HORIZON_DAYS = 2 * 365


def exam_date(text: str, today: date) -> date:
    """An exam date in ISO form, today or later and within two years."""
    example = f"Example: /examdate {date(today.year + 1, 3, 15).isoformat()}"
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    if not m:
        raise BadInput(f"Please give the date as YYYY-MM-DD. {example}")
    try:
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise BadInput(f"{text.strip()} is not a real calendar date. {example}") from None
    if day < today:
        raise BadInput(f"{day.isoformat()} has already passed. {example}")
    if (day - today).days > EXAM_HORIZON_DAYS:
        raise BadInput(f"{day.isoformat()} is more than two years away. {example}")
    return day


def clock_time(text: str) -> time:
    """A 24-hour HH:MM time of day."""
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text.strip())
    if not m:
        raise BadInput(
            f"{text.strip() or 'That'} is not a time of day. Use 24-hour HH:MM, for example /remind 19:00"
        )
    return time(int(m.group(1)), int(m.group(2)))


def timezone_name(text: str) -> str:
    """An IANA time zone name, matched case-insensitively (`america/new_york` works)."""
    name = text.strip()
    example = "Example: /timezone America/New_York"
    if not name:
        raise BadInput(f"Please name a time zone. {example}")
    canonical = _zones_by_lowercase().get(name.lower())
    if canonical is None:
        raise BadInput(f"{name} is not a time zone I know. {example}")
    try:
        ZoneInfo(canonical)
    except ZoneInfoNotFoundError:  # listed but not loadable: treat like an unknown name
        raise BadInput(f"{name} is not a time zone I know. {example}") from None
    return canonical


def daily_goal(text: str) -> int:
    """Questions per day, within GOAL_MIN..GOAL_MAX."""
    example = "Example: /goal 10"
    if not re.fullmatch(r"\d{1,3}", text.strip()):
        raise BadInput(f"The goal is a number of questions per day, {GOAL_MIN}-{GOAL_MAX}. {example}")
    value = int(text)
    if not GOAL_MIN <= value <= GOAL_MAX:
        raise BadInput(f"Pick a goal between {GOAL_MIN} and {GOAL_MAX} questions a day. {example}")
    return value


@cache
def _zones_by_lowercase() -> dict[str, str]:
    return {z.lower(): z for z in available_timezones()}
