"""The unit of work: one database transaction per event, with a repository per aggregate.

Features reach storage only through `tx.<aggregate>` (see bot.ports.storage for the contract); each
repository returns domain values, never ORM rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.storage.answers import AnswerRepo
from bot.storage.exams import ExamRepo
from bot.storage.groups import GroupRepo
from bot.storage.intake import AdapterStateRepo, IntakeRepo
from bot.storage.items import ItemRepo
from bot.storage.learners import LearnerRepo
from bot.storage.mocks import MockRepo
from bot.storage.points import PointsRepo
from bot.storage.prompts import PromptRepo
from bot.storage.pushes import PushRepo
from bot.storage.repo import FirstContact
from bot.storage.rounds import RoundRepo


class UnitOfWork:
    """The repositories over one transaction; committed when the `async with` block ends."""

    def __init__(self, session: AsyncSession) -> None:
        fresh = FirstContact()
        self.new_learner_ids = fresh.learners
        self.learners = LearnerRepo(session, fresh)
        self.answers = AnswerRepo(session, fresh)
        self.prompts = PromptRepo(session, fresh)
        self.mocks = MockRepo(session, fresh)
        self.exams = ExamRepo(session, fresh)
        self.groups = GroupRepo(session, fresh)
        self.rounds = RoundRepo(session, fresh)
        self.points = PointsRepo(session, fresh)
        self.pushes = PushRepo(session, fresh)
        self.intake = IntakeRepo(session, fresh)
        self.adapter_state = AdapterStateRepo(session, fresh)
        self.items = ItemRepo(session, fresh)


class Store:
    """Opens transactions on one engine. The engine is made by the composition root.

    SQLite takes one writer at a time; letting concurrent events race for its lock ends in
    "database is locked" after the busy timeout under bursts, so on SQLite this process queues its
    transactions instead. PostgreSQL runs them concurrently.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._one_at_a_time = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        async with self._serialised(), self._sessions.begin() as session:
            yield UnitOfWork(session)

    def _serialised(self) -> AbstractAsyncContextManager[object]:
        return self._one_at_a_time or nullcontext()

