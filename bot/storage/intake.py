"""The ledger of handled deliveries, and the adapters' shared state: two small key tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, select, update

from bot.outbox import DELIVERED
from bot.storage.repo import Repo, core, per_dialect
from bot.storage.schema import AdapterStateRow, HandledUpdateRow

_HANDLED = core(HandledUpdateRow)
_RECORD = per_dialect(lambda dialect_insert: dialect_insert(_HANDLED)
                      .on_conflict_do_nothing(index_elements=["platform", "update_id"])
                      .returning(_HANDLED.c.update_id))
_KEEP = update(_HANDLED).where(_HANDLED.c.platform == bindparam("delivered_on"),
                               _HANDLED.c.update_id == bindparam("delivered_id"))
_KEEP_REPLIES = _KEEP.values(replies=bindparam("kept"))
_MARK_DELIVERED = _KEEP.values(replies=DELIVERED)


class IntakeRepo(Repo):
    async def record(self, platform: str, update_id: str, now: datetime) -> bool:
        """Records the delivery in this transaction; False if it was recorded before (a redelivery).
        A concurrent transaction recording the same id waits for this one and then gets False."""
        return update_id in await self.record_all(platform, [update_id], now)

    async def record_all(self, platform: str, update_ids: Sequence[str], now: datetime) -> set[str]:
        """record() for several deliveries in one statement: the ids recorded now (not before)."""
        if not update_ids:
            return set()
        params = [{"platform": platform, "update_id": u, "handled_at": now} for u in update_ids]
        # One delivery (every event but a burst of round presses) as a plain execute: SQLAlchemy's
        # batched RETURNING for a list costs several times the statement itself.
        rows = await self._s.execute(_RECORD(self._dialect), params[0] if len(params) == 1 else params)
        return set(rows.scalars())

    async def keep_replies(self, platform: str, update_id: str, replies: str) -> None:
        await self._s.execute(_KEEP_REPLIES, {"delivered_on": platform, "delivered_id": update_id,
                                              "kept": replies})

    async def mark_delivered(self, deliveries: Sequence[tuple[str, str]]) -> None:
        """keep_replies(DELIVERED) for several (platform, update id) pairs, in one statement."""
        if not deliveries:
            return
        await self._s.execute(_MARK_DELIVERED, [{"delivered_on": p, "delivered_id": u}
                                                for p, u in deliveries])

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
