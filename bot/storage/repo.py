"""What every part of the unit of work shares: the session, unsynchronised writes, upserts, and the
row-to-value conversions used on both sides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Result, Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from bot.domain.exam import MockKind
from bot.domain.models import (
    DEFAULT_GOAL,
    CardState,
    Group,
    Learner,
    Mock,
    MockOutcome,
    Prompt,
    Standing,
    Streak,
)
from bot.storage.schema import Base, CardRow, GroupChatRow, LearnerRow, MockRow, PromptRow


@dataclass(slots=True)
class FirstContact:
    """Learners first seen in this unit of work: they have no history yet, so the queries that could
    only come back empty (their cards, answers, open prompts) are skipped."""

    learners: set[int] = field(default_factory=set)
    without_prompts: set[int] = field(default_factory=set)

    def copy(self) -> FirstContact:
        return FirstContact(set(self.learners), set(self.without_prompts))

    def restore(self, earlier: FirstContact) -> None:
        self.learners.clear()
        self.learners.update(earlier.learners)
        self.without_prompts.clear()
        self.without_prompts.update(earlier.without_prompts)


class Repo:
    """One aggregate's storage over the unit of work's session."""

    def __init__(self, session: AsyncSession, fresh: FirstContact) -> None:
        self._s = session
        self._fresh = fresh

    async def _write(self, statement: Executable) -> Result[Any]:
        """Runs an UPDATE without syncing the session's loaded objects: they are not reused after
        a write here, and syncing costs O(loaded rows) per statement (quadratic over a batch)."""
        return await self._s.execute(statement, execution_options={"synchronize_session": False})

    async def _new_learner(self, platform: str, user_id: str, display_name: str,
                           private_chat_id: str | None, unreachable: bool, now: datetime) -> int | None:
        """A learner with default settings and no history, its pushes going to this account; its id,
        or None if the account has a learner row already (made by a concurrent first contact, which
        this waits for on PostgreSQL). First contact makes one, and so does /unlink for the account
        leaving."""
        new_id = (await self._s.execute(_NEW_LEARNER(self._dialect), {
            "platform": platform, "user_id": user_id, "display_name": display_name[:128],
            "daily_goal": DEFAULT_GOAL, "private_chat_id": private_chat_id, "unreachable": unreachable,
            "created_at": now})).scalar_one_or_none()
        return None if new_id is None else int(new_id)

    @property
    def _dialect(self) -> str:
        return self._s.get_bind().dialect.name

    def _insert(self, table: type[Base] | Table) -> Any:
        """An INSERT that takes ON CONFLICT clauses, in this database's dialect."""
        return _inserts(self._dialect)(table)


Statement = TypeVar("Statement")
Insert = Callable[[type[Base] | Table], Any]  # the dialect's insert(): sqlite's or postgresql's


def per_dialect(build: Callable[[Insert], Statement]) -> Callable[[str], Statement]:
    """A hot-path statement whose SQL differs by database (ON CONFLICT), built once for each from
    the dialect's INSERT: see `core` for why hot statements are built once."""
    return cache(lambda dialect: build(_inserts(dialect)))


def _inserts(dialect: str) -> Insert:
    return sqlite_insert if dialect == "sqlite" else pg_insert


def core(row: type[Base]) -> Table:
    """A mapped class's table, for the Core statements the hot paths use (no ORM loading or
    bookkeeping: a burst of group presses writes hundreds of rows a second). The statements every
    event runs are built once, at import, with their values as bind parameters: building one
    (coercing each clause, then its cache key) cost more CPU than running it
    (benchmarks/profile_update.py)."""
    table = row.__table__
    assert isinstance(table, Table)
    return table


_NEW_LEARNER = per_dialect(lambda dialect_insert: dialect_insert(core(LearnerRow))
                           .on_conflict_do_nothing(index_elements=["platform", "user_id"])
                           .returning(core(LearnerRow).c.id))


def to_prompt(row: PromptRow | Row[Any]) -> Prompt:
    return Prompt(
        id=row.id, platform=row.platform, chat_id=row.chat_id, learner_id=row.learner_id,
        question_id=row.question_id, daily=row.daily, domain=row.domain,
        created_at=row.created_at, closed_at=row.closed_at, closes_at=row.closes_at,
        round_id=row.round_id, round_position=row.round_position, choice_order=row.choice_order,
        scope_word=row.scope_word, question_version=row.question_version,
    )


def to_group(row: GroupChatRow | Row[Any]) -> Group:
    return Group(
        platform=row.platform, chat_id=row.chat_id, title=row.title, timezone=row.timezone,
        daily_question_at=time.fromisoformat(row.daily_question_at) if row.daily_question_at else None,
        round_seconds=row.round_seconds,
    )


def to_learner(row: LearnerRow | Row[Any]) -> Learner:
    return Learner(
        id=row.id, platform=row.platform, user_id=row.user_id, display_name=row.display_name,
        timezone=row.timezone,
        remind_at=time.fromisoformat(row.remind_at) if row.remind_at else None,
        exam_date=row.exam_date, daily_goal=row.daily_goal, private_chat_id=row.private_chat_id,
        unreachable=row.unreachable, streak=Streak(row.streak_days, row.streak_day, row.streak_freezes),
        certified_on=row.certified_on,
        last_readiness=(row.readiness_mean, row.readiness_pass)
        if row.readiness_mean is not None and row.readiness_pass is not None else None,
        digest=row.digest,
    )


def to_mock(row: MockRow) -> Mock:
    return Mock(
        id=row.id, learner_id=row.learner_id, platform=row.platform, chat_id=row.chat_id,
        kind=MockKind(row.kind), total=row.total, position=row.position, started_at=row.started_at,
        ends_at=row.ends_at, finished_at=row.finished_at,
        outcome=MockOutcome(row.outcome) if row.outcome else None,
        correct=row.correct, shown_at=row.shown_at,
    )


def to_card(row: CardRow | Row[Any]) -> CardState:
    """From a loaded row or a Core one (the hot paths read cards without the ORM)."""
    return CardState(
        question_id=row.question_id, state=row.state, stability=row.stability,
        difficulty=row.difficulty, due=row.due, last_review=row.last_review,
        question_version=row.question_version,
    )


def ranked(rows: list[tuple[int, str, int]]) -> list[Standing]:
    """Standings from rows sorted best first: equal points share the better rank."""
    standings: list[Standing] = []
    for learner_id, name, points in rows:
        tied = standings and standings[-1].points == points
        standings.append(Standing(standings[-1].rank if tied else len(standings) + 1,
                                  learner_id, name, points))
    return standings
