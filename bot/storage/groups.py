"""Group chats and their members."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.models import (
    DEFAULT_ROUND_SECONDS,
    Group,
)
from bot.storage.repo import Repo, to_group
from bot.storage.schema import (
    GroupChatRow,
    GroupMemberRow,
)


class GroupRepo(Repo):
    async def group(self, platform: str, chat_id: str, title: str,
                    now: datetime) -> tuple[Group, bool]:
        """The group chat, registered on first contact (then True); keeps its title fresh."""
        row = await self._s.get(GroupChatRow, (platform, chat_id))
        created = row is None
        if row is None:
            row = GroupChatRow(platform=platform, chat_id=chat_id, title=title[:128] or chat_id,
                               round_seconds=DEFAULT_ROUND_SECONDS, created_at=now)
            try:
                async with self._s.begin_nested():
                    self._s.add(row)
            except IntegrityError:
                row = await self._s.get(GroupChatRow, (platform, chat_id))
                assert row is not None
        elif title and row.title != title[:128]:
            row.title = title[:128]
        return to_group(row), created

    async def update_group(self, group: Group, **changes: Any) -> Group:
        assert set(changes) <= {"timezone", "daily_question_at", "round_seconds"}, changes
        values = {k: (v.strftime("%H:%M") if isinstance(v, time) else v) for k, v in changes.items()}
        await self._write(update(GroupChatRow).where(
            GroupChatRow.platform == group.platform, GroupChatRow.chat_id == group.chat_id,
        ).values(**values))
        return replace(group, **changes)

    async def learner_groups(self, learner_id: int) -> list[Group]:
        stmt = (select(GroupChatRow).join(GroupMemberRow, and_(
            GroupMemberRow.platform == GroupChatRow.platform, GroupMemberRow.chat_id == GroupChatRow.chat_id,
        )).where(GroupMemberRow.learner_id == learner_id))
        return [to_group(r) for r in await self._s.scalars(stmt)]

    async def join_group(self, platform: str, chat_id: str, learner_id: int, now: datetime) -> bool:
        """Makes the learner a member; True if they were not one yet."""
        if await self._s.get(GroupMemberRow, (platform, chat_id, learner_id)) is not None:
            return False
        try:
            async with self._s.begin_nested():
                self._s.add(GroupMemberRow(platform=platform, chat_id=chat_id,
                                           learner_id=learner_id, joined_at=now))
        except IntegrityError:
            return False  # joined concurrently by another event
        return True
