"""What every part of the unit of work shares: the session, unsynchronised writes, upserts, and the
row-to-value conversions used on both sides."""

from __future__ import annotations

from datetime import time
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from bot.domain.models import Group, Prompt
from bot.storage.schema import Base, GroupChatRow, PromptRow


class Repo:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def _write(self, statement: Executable) -> Result[Any]:
        """Runs an UPDATE without syncing the session's loaded objects: they are not reused after
        a write here, and syncing costs O(loaded rows) per statement (quadratic over a batch)."""
        return await self._s.execute(statement, execution_options={"synchronize_session": False})

    def _insert(self, table: type[Base]) -> Any:
        """An INSERT that takes ON CONFLICT clauses, in this database's dialect."""
        sqlite = self._s.get_bind().dialect.name == "sqlite"
        return sqlite_insert(table) if sqlite else pg_insert(table)


def to_prompt(row: PromptRow) -> Prompt:
    return Prompt(
        id=row.id, platform=row.platform, chat_id=row.chat_id, learner_id=row.learner_id,
        question_id=row.question_id, daily=row.daily, domain=row.domain,
        created_at=row.created_at, closed_at=row.closed_at, closes_at=row.closes_at,
        round_id=row.round_id, round_position=row.round_position,
    )


def to_group(row: GroupChatRow) -> Group:
    return Group(
        platform=row.platform, chat_id=row.chat_id, title=row.title, timezone=row.timezone,
        daily_question_at=time.fromisoformat(row.daily_question_at) if row.daily_question_at else None,
        round_seconds=row.round_seconds,
    )
