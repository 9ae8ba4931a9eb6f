"""How the core dealt with one event: its replies, and whether the platform should deliver it again."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.outgoing import Outgoing


class Outcome(StrEnum):
    APPLIED = "applied"  # committed
    REJECTED = "rejected"  # the learner's mistake or a race: rolled back, told why
    DUPLICATE = "duplicate"  # a delivery already applied: nothing done, nothing said
    FAILED = "failed"  # unexpected error: rolled back and apologised; worth delivering again


@dataclass(frozen=True, slots=True)
class Handled:
    replies: list[Outgoing]
    outcome: Outcome
