"""The in-memory ledger of handled deliveries and the adapters' shared state (bot/storage/intake.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.outbox import DELIVERED
from tests.memory_repos import MemoryRepo
from tests.memory_tables import utc


class MemoryIntakeRepo(MemoryRepo):
    async def record(self, platform: str, update_id: str, now: datetime) -> bool:
        if (platform, update_id) in self._t.handled_updates:
            return False
        self._t.handled_updates[(platform, update_id)] = utc(now)
        return True

    async def record_all(self, platform: str, update_ids: Sequence[str], now: datetime) -> set[str]:
        return {update_id for update_id in update_ids if await self.record(platform, update_id, now)}

    async def keep_replies(self, platform: str, update_id: str, replies: str) -> None:
        if (platform, update_id) in self._t.handled_updates:
            self._t.handled_replies[(platform, update_id)] = replies

    async def mark_delivered(self, deliveries: Sequence[tuple[str, str]]) -> None:
        for platform, update_id in deliveries:
            await self.keep_replies(platform, update_id, DELIVERED)

    async def undelivered(self, platform: str, update_id: str) -> str | None:
        return self._t.handled_replies.get((platform, update_id))

    async def prune(self, before: datetime) -> int:
        old = [key for key, at in self._t.handled_updates.items() if at < utc(before)]
        for key in old:
            del self._t.handled_updates[key]
            self._t.handled_replies.pop(key, None)
        return len(old)


class MemoryAdapterStateRepo(MemoryRepo):
    async def get(self, platform: str, key: str) -> str | None:
        return self._t.adapter_state.get((platform, key))

    async def put(self, platform: str, key: str, value: str, now: datetime) -> None:
        utc(now)
        self._t.adapter_state[(platform, key)] = value
