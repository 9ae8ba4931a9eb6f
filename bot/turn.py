"""One event's working context: the transaction, the learner, the clock reading and their local day."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fsrs import Scheduler

from bot.domain.models import Learner
from bot.domain.questions import Bank
from bot.domain.schedule import learner_schedule, local_instant
from bot.events import Chat, Person
from bot.ports.storage import UnitOfWork


@dataclass(slots=True)
class Turn:
    tx: UnitOfWork
    learner: Learner
    person: Person
    chat: Chat
    now: datetime
    default_timezone: str
    bank: Bank
    scheduler: Scheduler
    rng: random.Random
    is_admin: bool = False  # may change the group's settings (set by the adapter for ADMIN_COMMANDS)
    started: datetime | None = None  # when this process's core started: what it showed is after it
    choice_rng: random.Random | None = None  # shuffles the choices shown; None keeps stored order
    made_at: datetime | None = None  # when the person acted (Event.made_at); None: `now`

    @property
    def acted_at(self) -> datetime:
        """When the person acted: the platform's stamp, never later than now."""
        return min(self.made_at, self.now) if self.made_at is not None else self.now

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.learner.timezone or self.default_timezone)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()

    def day_start(self, day: date | None = None) -> datetime:
        """The UTC instant at which a local calendar day begins (DST-safe)."""
        return local_instant(day or self.today, time(0), self.zone)

    def day_end(self) -> datetime:
        return self.day_start(self.today + timedelta(days=1))

    async def save_learner(self, **changes: object) -> Learner:
        """Stores the learner's changed fields and moves their next scheduled push to match."""
        self.learner = await self.tx.learners.update_learner(self.learner, **changes)
        await self.tx.pushes.set_next_push(self.learner.id,
                                    learner_schedule(self.learner, self.default_timezone, self.now))
        return self.learner
