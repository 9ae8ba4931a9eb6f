"""The learner's settings as typed: an exam date and a daily goal, with the range each may take."""

from __future__ import annotations

from datetime import date

from bot.errors import BadInput
from bot.inputs.dates import calendar_date
from bot.inputs.text import whole_number

GOAL_MIN, GOAL_MAX = 1, 50
# AMT schedules exams through Pearson VUE; nobody books one years ahead, so a far date is a typo.
EXAM_HORIZON_DAYS = 2 * 365


def exam_date(text: str, today: date) -> date:
    """An exam date today or later and within two years."""
    example = f"Example: /examdate {date(today.year + 1, 3, 15).isoformat()}"
    return exam_day_in_range(calendar_date(text, example), today, example)


def exam_day_in_range(day: date, today: date, example: str) -> date:
    if day < today:
        raise BadInput(f"{day.isoformat()} has already passed. {example}")
    if (day - today).days > EXAM_HORIZON_DAYS:
        raise BadInput(f"{day.isoformat()} is more than two years away. {example}")
    return day


def daily_goal(text: str) -> int:
    """Questions per day, within GOAL_MIN..GOAL_MAX."""
    return whole_number(text, GOAL_MIN, GOAL_MAX,
                        f"Pick a goal between {GOAL_MIN} and {GOAL_MAX} questions a day. Example: /goal 10")
