"""Prompts: questions posted in a chat, open until answered or closed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update

from bot.domain.models import (
    Prompt,
)
from bot.storage.repo import Repo, core, to_prompt
from bot.storage.schema import (
    PromptRow,
)

# A prompt's fields as written when it is asked (its id comes from the database).
_STORED = ("platform", "chat_id", "learner_id", "question_id", "daily", "domain", "created_at",
           "closes_at", "round_id", "round_position", "choice_order", "scope_word", "question_version")

# The statements every question asked and every answer runs, built once (bot.storage.repo.core).
_PROMPTS = core(PromptRow)
_CLOSE_EARLIER = update(_PROMPTS).where(
    _PROMPTS.c.platform == bindparam("on"), _PROMPTS.c.chat_id == bindparam("chat"),
    _PROMPTS.c.learner_id == bindparam("learner"), _PROMPTS.c.closed_at.is_(None),
).values(closed_at=bindparam("now"))
_ASK = insert(_PROMPTS).returning(_PROMPTS.c.id)
_BY_ID = select(_PROMPTS).where(_PROMPTS.c.id == bindparam("prompt"))
_CLOSE = update(_PROMPTS).where(_PROMPTS.c.id == bindparam("prompt"), _PROMPTS.c.closed_at.is_(None)).values(
    closed_at=bindparam("now"))
_TAKE = _CLOSE.returning(*_PROMPTS.c)


class PromptRepo(Repo):
    async def open_prompt(self, platform: str, chat_id: str, learner_id: int | None,
                          question_id: str, daily: bool, domain: int | None,
                          now: datetime, closes_at: datetime | None = None,
                          round_id: int | None = None, round_position: int | None = None, *,
                          choice_order: str | None = None, scope_word: str | None = None,
                          question_version: int | None = None) -> Prompt:
        """Posts a new question in a chat, closing any earlier open one asked of the same learner."""
        if learner_id in self._fresh.without_prompts:
            self._fresh.without_prompts.discard(learner_id)  # nothing of theirs to close yet
        elif learner_id is not None:
            await self._s.execute(_CLOSE_EARLIER, {"on": platform, "chat": chat_id, "learner": learner_id,
                                                   "now": now})
        prompt = Prompt(0, platform, chat_id, learner_id, question_id, daily, domain, now, None, closes_at,
                        round_id, round_position, choice_order, scope_word, question_version)
        values = {f: getattr(prompt, f) for f in _STORED}
        prompt_id = (await self._s.execute(_ASK, values)).scalar_one()
        return replace(prompt, id=int(prompt_id))

    async def prompt(self, prompt_id: int) -> Prompt | None:
        """A Core read: every answer press looks its question up."""
        row = (await self._s.execute(_BY_ID, {"prompt": prompt_id})).one_or_none()
        return to_prompt(row) if row else None

    async def latest_open_prompt(self, platform: str, chat_id: str,
                                 learner_id: int) -> Prompt | None:
        stmt = (select(PromptRow).where(
            PromptRow.platform == platform, PromptRow.chat_id == chat_id,
            PromptRow.learner_id == learner_id, PromptRow.closed_at.is_(None),
        ).order_by(PromptRow.id.desc()).limit(1))
        row = (await self._s.execute(stmt)).scalar_one_or_none()
        return to_prompt(row) if row else None

    async def close_prompt(self, prompt_id: int, now: datetime) -> bool:
        """Closes an open prompt; False if it was already closed (a double press loses here)."""
        result = await self._s.execute(_CLOSE, {"prompt": prompt_id, "now": now})
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def take_prompt(self, prompt_id: int, now: datetime) -> Prompt | None:
        row = (await self._s.execute(_TAKE, {"prompt": prompt_id, "now": now})).one_or_none()
        return to_prompt(row) if row else None

    async def hold_open(self, prompt_id: int) -> bool:
        """False if the group question has closed; else it cannot close until this transaction
        ends (PostgreSQL: FOR SHARE, so answers run side by side while closing waits for them;
        SQLite runs one writer at a time anyway). No answer is recorded after its reveal."""
        stmt = (select(PromptRow.id).where(PromptRow.id == prompt_id, PromptRow.closed_at.is_(None))
                .with_for_update(read=True))
        return (await self._s.execute(stmt)).scalar_one_or_none() is not None

    async def next_group_close(self, platform: str) -> datetime | None:
        """Reads every open group question's close and picks the platform's here: with the platform
        in the query, SQLite (without ANALYZE statistics) chose the chat index and walked every
        question the platform ever asked instead of the few open ones (ix_prompts_open_group)."""
        stmt = select(PromptRow.platform, PromptRow.closes_at).where(
            PromptRow.closed_at.is_(None), PromptRow.closes_at.is_not(None))
        closes = [at for on, at in await self._s.execute(stmt) if on == platform and at is not None]
        return min(closes, default=None)

    async def due_group_prompts(self, now: datetime, limit: int = 100) -> list[Prompt]:
        """Open group questions whose answer window has ended."""
        stmt = (select(PromptRow).where(PromptRow.closes_at <= now, PromptRow.closed_at.is_(None))
                .order_by(PromptRow.closes_at).limit(limit))
        return [to_prompt(r) for r in await self._s.scalars(stmt)]
