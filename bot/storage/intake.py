"""The ledger of handled deliveries, and the adapters' shared state: two small key tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from bot.storage.repo import Repo
from bot.storage.schema import AdapterStateRow, HandledUpdateRow


class IntakeRepo(Repo):
    async def record(self, platform: str, update_id: str, now: datetime) -> bool:
        """Records the delivery in this transaction; False if it was recorded before (a redelivery).
        A concurrent transaction recording the same id waits for this one and then gets False."""
        stmt = (self._insert(HandledUpdateRow)
                .values(platform=platform, update_id=update_id, handled_at=now)
                .on_conflict_do_nothing(index_elements=["platform", "update_id"])
                .returning(HandledUpdateRow.update_id))
        return (await self._s.execute(stmt)).scalar_one_or_none() is not None

    async def keep_replies(self, platform: str, update_id: str, replies: str) -> None:
        await self._write(update(HandledUpdateRow).where(
            HandledUpdateRow.platform == platform, HandledUpdateRow.update_id == update_id,
        ).values(replies=replies))

    async def undelivered(self, platform: str, update_id: str) -> str | None:
        stmt = select(HandledUpdateRow.replies).where(HandledUpdateRow.platform == platform,
                                                      HandledUpdateRow.update_id == update_id)
        replies: str | None = (await self._s.execute(stmt)).scalar_one_or_none()
        return replies

    async def prune(self, before: datetime) -> int:
        result = await self._write(delete(HandledUpdateRow).where(HandledUpdateRow.handled_at < before))
        return int(result.rowcount)  # type: ignore[attr-defined]


class AdapterStateRepo(Repo):
    async def get(self, platform: str, key: str) -> str | None:
        stmt = select(AdapterStateRow.value).where(AdapterStateRow.platform == platform,
                                                   AdapterStateRow.key == key)
        value: str | None = (await self._s.execute(stmt)).scalar_one_or_none()
        return value

    async def put(self, platform: str, key: str, value: str, now: datetime) -> None:
        stmt = self._insert(AdapterStateRow).values(platform=platform, key=key, value=value, updated_at=now)
        await self._s.execute(stmt.on_conflict_do_update(
            index_elements=["platform", "key"], set_={"value": value, "updated_at": now}))
