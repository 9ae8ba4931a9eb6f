"""The learner figures every view shows, each defined once (the README's "Figures" lists them).

- answered: every answer the learner has given: practice (new questions and reviews) and mocks.
- accuracy, overall and per domain: the share of those answers that were right.
- first-attempt accuracy: the share right of the first answer to each question, practice or mock;
  the readiness forecast's evidence (a repeat measures memory of the item, not the domain).
- answered today: answers of either kind since the learner's local midnight; the daily goal,
  the streak and the daily counter read it.
- streak and due reviews: bot.domain.streaks.as_of and the cards due by the end of the local day.

Percentages are whole numbers rounded half up (2 of 3 is 67 %), through `percent` and `rounded`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from bot.domain.models import DomainRecord


def percent(part: int, whole: int) -> int:
    """`part` of `whole` as a whole percent, rounded half up with exact integer arithmetic."""
    return (200 * part + whole) // (2 * whole) if whole else 0


def rounded(value: float) -> int:
    """A percentage computed as a float (a forecast, a share), rounded half up."""
    return math.floor(value + 0.5)


def overall(records: Mapping[int, DomainRecord]) -> DomainRecord:
    """The per-domain records added up."""
    return DomainRecord(sum(r.answered for r in records.values()), sum(r.correct for r in records.values()))
