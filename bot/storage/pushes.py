"""Scheduled pushes: who is due, claiming a push once per day, and its outcome."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from sqlalchemy import and_, select, update

from bot.domain.models import (
    Group,
    Learner,
    PushKey,
    PushOutcome,
    ReportSubscription,
)
from bot.storage.repo import Repo, to_group, to_learner
from bot.storage.schema import (
    GroupChatRow,
    GroupReportSubscriptionRow,
    LearnerRow,
    PushRow,
)


class PushRepo(Repo):
    async def lock_due_learners(self, now: datetime, platforms: Collection[str],
                                limit: int) -> list[tuple[Learner, datetime]]:
        """Reachable learners owed a push by `now`, with the instant it was owed, locked for this
        transaction: another instance's tick skips them (PostgreSQL: FOR UPDATE SKIP LOCKED); on
        SQLite a second writer's transaction fails instead, so nobody claims a learner twice."""
        # `platform || ''` keeps SQLite's planner off the (platform, user_id) index, which would
        # scan every learner of the platform; the due-time index reads only the due rows.
        stmt = (select(LearnerRow).where(LearnerRow.next_push_at <= now,
                                         LearnerRow.unreachable.is_(False),
                                         LearnerRow.platform.concat("").in_(platforms))
                .order_by(LearnerRow.next_push_at).limit(limit)
                .with_for_update(skip_locked=True))
        rows = list(await self._s.scalars(stmt))
        return [(to_learner(r), r.next_push_at) for r in rows if r.next_push_at is not None]

    async def set_next_pushes(self, when: Mapping[int, datetime | None]) -> None:
        """Moves many learners' next push at once (one executemany by primary key)."""
        if when:
            await self._s.execute(update(LearnerRow),
                                  [{"id": k, "next_push_at": v} for k, v in when.items()])

    async def set_next_push(self, learner_id: int, when: datetime | None) -> None:
        await self._write(update(LearnerRow).where(LearnerRow.id == learner_id)
                          .values(next_push_at=when))

    async def record_pushes(self, pushes: Sequence[PushKey], now: datetime) -> dict[PushKey, int]:
        """Records claimed pushes in one statement; a push already recorded for its day is left
        out of the result (the unique key decides)."""
        if not pushes:
            return {}
        stmt = (self._insert(PushRow).on_conflict_do_nothing(
                    index_elements=["kind", "platform", "chat_id", "local_date"])
                .returning(PushRow.id, PushRow.kind, PushRow.platform, PushRow.chat_id,
                           PushRow.local_date))
        rows = [{"kind": p.kind, "platform": p.platform, "chat_id": p.chat_id,
                 "learner_id": p.learner_id, "local_date": p.local_date, "claimed_at": now,
                 "outcome": PushOutcome.CLAIMED} for p in pushes]
        by_key = {(p.kind, p.platform, p.chat_id, p.local_date): p for p in pushes}
        result = await self._s.execute(stmt, rows)
        return {by_key[(kind, platform, chat_id, day)]: push_id
                for push_id, kind, platform, chat_id, day in result}

    async def push_outcome(self, push_id: int, outcome: PushOutcome) -> None:
        await self._write(update(PushRow).where(PushRow.id == push_id).values(outcome=outcome))

    async def groups_due(self, now: datetime, platforms: Collection[str],
                         limit: int) -> list[tuple[Group, datetime]]:
        stmt = (select(GroupChatRow).where(GroupChatRow.next_push_at <= now,
                                           GroupChatRow.platform.in_(platforms))
                .order_by(GroupChatRow.next_push_at).limit(limit))
        rows = list(await self._s.scalars(stmt))
        return [(to_group(r), r.next_push_at) for r in rows if r.next_push_at is not None]

    async def set_group_schedule(self, group: Group, when: datetime | None) -> None:
        await self._write(update(GroupChatRow).where(
            GroupChatRow.platform == group.platform, GroupChatRow.chat_id == group.chat_id,
        ).values(next_push_at=when))

    async def reschedule_group(self, group: Group, expected: datetime | None,
                               following: datetime | None) -> bool:
        result = await self._write(update(GroupChatRow).where(
            GroupChatRow.platform == group.platform, GroupChatRow.chat_id == group.chat_id,
            GroupChatRow.next_push_at == expected,
        ).values(next_push_at=following))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def digests_due(self, now: datetime, platforms: Collection[str],
                          limit: int) -> list[tuple[Learner, datetime]]:
        """Reachable learners owed a weekly digest by `now`, soonest first, with when it was owed."""
        stmt = (select(LearnerRow).where(LearnerRow.digest_next_at <= now,
                                         LearnerRow.unreachable.is_(False),
                                         LearnerRow.platform.concat("").in_(platforms))
                .order_by(LearnerRow.digest_next_at).limit(limit))
        rows = list(await self._s.scalars(stmt))
        return [(to_learner(r), r.digest_next_at) for r in rows if r.digest_next_at is not None]

    async def set_next_digest(self, learner_id: int, when: datetime | None) -> None:
        await self._write(update(LearnerRow).where(LearnerRow.id == learner_id)
                          .values(digest_next_at=when))

    async def reschedule_digest(self, learner_id: int, expected: datetime | None,
                                following: datetime | None) -> bool:
        """Moves the learner's next digest only from `expected`: of two ticks, one wins."""
        result = await self._write(update(LearnerRow).where(
            LearnerRow.id == learner_id, LearnerRow.digest_next_at == expected,
        ).values(digest_next_at=following))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def reports_due(self, now: datetime, platforms: Collection[str],
                          limit: int) -> list[tuple[ReportSubscription, datetime]]:
        """Weekly group reports owed by `now` to reachable admins, soonest first."""
        sub = GroupReportSubscriptionRow
        stmt = (select(sub, GroupChatRow, LearnerRow)
                .join(GroupChatRow, and_(GroupChatRow.platform == sub.platform,
                                         GroupChatRow.chat_id == sub.chat_id))
                .join(LearnerRow, LearnerRow.id == sub.learner_id)
                .where(sub.next_push_at <= now, sub.platform.in_(platforms),
                       LearnerRow.unreachable.is_(False))
                .order_by(sub.next_push_at).limit(limit))
        return [(ReportSubscription(to_group(group), to_learner(admin), row.private_chat_id),
                 row.next_push_at) for row, group, admin in await self._s.execute(stmt)
                if row.next_push_at is not None]

    async def reschedule_report(self, subscription: ReportSubscription, expected: datetime | None,
                                following: datetime | None) -> bool:
        """Moves the subscription's next report only from `expected`: of two ticks, one wins."""
        sub = GroupReportSubscriptionRow
        result = await self._write(update(sub).where(
            sub.platform == subscription.group.platform, sub.chat_id == subscription.group.chat_id,
            sub.learner_id == subscription.admin.id, sub.next_push_at == expected,
        ).values(next_push_at=following))
        return bool(result.rowcount)  # type: ignore[attr-defined]
