"""The unit of work: one database transaction per event, with a repository per aggregate.

Features reach storage only through `tx.<aggregate>` (see bot.ports.storage for the contract); each
repository returns domain values, never ORM rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.storage import inloop_sqlite
from bot.storage.answers import AnswerRepo
from bot.storage.exams import ExamRepo
from bot.storage.groups import GroupRepo
from bot.storage.intake import AdapterStateRepo, IntakeRepo
from bot.storage.items import ItemRepo
from bot.storage.learners import LearnerRepo
from bot.storage.linking import LinkRepo
from bot.storage.mocks import MockRepo
from bot.storage.points import PointsRepo
from bot.storage.prompts import PromptRepo
from bot.storage.pushes import PushRepo
from bot.storage.repo import FirstContact
from bot.storage.rounds import RoundRepo

# PostgreSQL transactions worth running at once for one burst (bot.batch_queue): each statement is a
# round trip, so a few batches side by side keep the connection pool (5 by default) busy.
PARALLEL_TRANSACTIONS = 4
# Waits between tries for SQLite's write lock held by another process: about 5 s in all.
WRITE_LOCK_PAUSES = (0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.2, 2.0)


class UnitOfWork:
    """The repositories over one transaction; committed when the `async with` block ends."""

    def __init__(self, session: AsyncSession) -> None:
        fresh = FirstContact()
        self.new_learner_ids = fresh.learners
        self.learners = LearnerRepo(session, fresh)
        self.link = LinkRepo(session, fresh)
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
        self._session, self._fresh = session, fresh

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """SAVEPOINT ... RELEASE, or ROLLBACK TO it if the block raises; what this unit of work
        learned about first-contact learners inside the block is forgotten with it. Loaded rows are
        let go either way: repositories write with UPDATEs that do not refresh loaded rows, so what
        follows the block must read afresh."""
        remembered = self._fresh.copy()
        try:
            async with self._session.begin_nested():
                yield
        except BaseException:
            self._fresh.restore(remembered)
            raise
        finally:
            self._session.expunge_all()


class Store:
    """Opens transactions on one engine. The engine is made by the composition root.

    SQLite takes one writer at a time; letting concurrent events race for its lock ends in
    "database is locked" after the busy timeout under bursts, so on SQLite this process queues its
    transactions instead. PostgreSQL runs them concurrently.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        in_loop = engine.dialect.driver == inloop_sqlite.SQLiteDialect_inloop.driver
        self._sessions = async_sessionmaker(engine, expire_on_commit=False,
                                            class_=inloop_sqlite.InLoopSession if in_loop else AsyncSession)
        self._one_at_a_time = asyncio.Lock() if self._sqlite else None
        self.parallel_transactions = 1 if self._sqlite else PARALLEL_TRANSACTIONS

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        async with self._serialised(), self._sessions() as session:
            if self._sqlite:
                await _take_write_lock(session)
            try:
                yield UnitOfWork(session)
            except BaseException:
                await session.rollback()
                raise
            await session.commit()

    def _serialised(self) -> AbstractAsyncContextManager[object]:
        return self._one_at_a_time or nullcontext()


async def _take_write_lock(session: AsyncSession) -> None:
    """Begins the transaction (BEGIN IMMEDIATE, see engine.py) now. While another process holds
    SQLite's write lock, waits by sleeping on the event loop: the in-loop driver must not wait inside
    SQLite, which would stop the loop (and deadlock with a second engine in this process)."""
    for pause in WRITE_LOCK_PAUSES:
        try:
            await session.connection()
            return
        except OperationalError as exc:
            if "locked" not in str(exc.orig):
                raise
            await session.rollback()
            await asyncio.sleep(pause)
    await session.connection()  # the last try: its error is the caller's
