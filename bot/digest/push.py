"""The digest as the scheduler sends it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.digest.figures import week_of
from bot.digest.texts import digest
from bot.domain.models import Learner
from bot.domain.questions import Bank
from bot.outgoing import Outgoing
from bot.ports.storage import UnitOfWork


async def digest_message(tx: UnitOfWork, bank: Bank, learner: Learner, zone: ZoneInfo,
                         now: datetime) -> Outgoing:
    return digest(await week_of(tx, bank, learner, zone, now), bank)
