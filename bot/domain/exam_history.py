"""Exam histories that can happen: the rules of cmas-exam.md applied to a learner's reported sittings.

A report is checked against the sittings already stored (a report for a day already stored replaces
it): after a fail the next sitting is at least RETAKE_WAIT_DAYS later; at most MAX_ATTEMPTS sittings
in a certification cycle; after a pass nothing until that certification's renewal cycle has ended
(a later sitting then starts a new cycle, with its own attempts).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.domain.exam import CYCLE_YEARS, MAX_ATTEMPTS, RETAKE_WAIT_DAYS
from bot.domain.models import ExamAttempt


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def with_report(history: Sequence[ExamAttempt], report: ExamAttempt) -> list[ExamAttempt]:
    """The history as it would be with `report` stored (same day: the report replaces it)."""
    return sorted([a for a in history if a.taken_on != report.taken_on] + [report],
                  key=lambda a: a.taken_on)


def why_impossible(history: Sequence[ExamAttempt]) -> str | None:
    """The first rule a (sorted) history breaks, in words for the learner; None if it can happen."""
    for count, (earlier, later) in enumerate(zip([None, *history], history, strict=False), start=1):
        if earlier is not None and earlier.passed:
            renewal = years_after(earlier.taken_on, CYCLE_YEARS)
            if later.taken_on < renewal:
                return (f"You passed on {earlier.taken_on.isoformat()}, so there is no exam to sit "
                        f"again before that certification's cycle ends on {renewal.isoformat()}.")
        elif earlier is not None and later.taken_on - earlier.taken_on < timedelta(days=RETAKE_WAIT_DAYS):
            first = earlier.taken_on + timedelta(days=RETAKE_WAIT_DAYS)
            return (f"After the attempt on {earlier.taken_on.isoformat()}, AMT's {RETAKE_WAIT_DAYS}-day "
                    f"wait means the earliest retake was {first.isoformat()}.")
        if attempts_in_cycle(history[:count]) > MAX_ATTEMPTS:
            return f"AMT allows at most {MAX_ATTEMPTS} attempts, and {MAX_ATTEMPTS} are recorded already."
    return None


def attempts_in_cycle(history: Sequence[ExamAttempt]) -> int:
    """Sittings since the last pass that a later sitting followed (all of them when there is none)."""
    count = 0
    for earlier, _ in zip([None, *history], history, strict=False):
        count = 1 if earlier is not None and earlier.passed else count + 1
    return count


def attempts_left(history: Sequence[ExamAttempt]) -> int:
    return max(MAX_ATTEMPTS - attempts_in_cycle(history), 0)

