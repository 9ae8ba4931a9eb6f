"""MemoryStore: the storage Protocols (bot.ports.storage) in memory, behaving as the SQL store does.

It lets the core's tests run without a database and pins down the storage contract: the same
contract tests run against it and against SQLite and PostgreSQL (tests/test_store_contract.py).
The tables are in tests/memory_tables.py, the repositories in tests/memory_repos.py and
tests/memory_group_repos.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tests.memory_group_repos import MemoryGroupRepo, MemoryPointsRepo, MemoryPushRepo, MemoryRoundRepo
from tests.memory_intake import MemoryAdapterStateRepo, MemoryIntakeRepo
from tests.memory_items import MemoryItemRepo
from tests.memory_link import MemoryLinkRepo
from tests.memory_repos import (
    MemoryAnswerRepo,
    MemoryExamRepo,
    MemoryLearnerRepo,
    MemoryMockRepo,
    MemoryPromptRepo,
)
from tests.memory_tables import Tables


class MemoryUnitOfWork:
    """The repositories over one transaction's tables."""

    def __init__(self, tables: Tables) -> None:
        self.new_learner_ids: set[int] = set()  # learners first seen in this unit of work
        parts = (tables, self.new_learner_ids)
        self.learners = MemoryLearnerRepo(*parts)
        self.link = MemoryLinkRepo(*parts)
        self.answers = MemoryAnswerRepo(*parts)
        self.prompts = MemoryPromptRepo(*parts)
        self.mocks = MemoryMockRepo(*parts)
        self.exams = MemoryExamRepo(*parts)
        self.groups = MemoryGroupRepo(*parts)
        self.rounds = MemoryRoundRepo(*parts)
        self.points = MemoryPointsRepo(*parts)
        self.pushes = MemoryPushRepo(*parts)
        self.intake = MemoryIntakeRepo(*parts)
        self.adapter_state = MemoryAdapterStateRepo(*parts)
        self.items = MemoryItemRepo(*parts)
        self._tables = tables

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Undoes the block's writes, and what it learned about new learners, if it raises."""
        before, new_ids = self._tables.snapshot(), set(self.new_learner_ids)
        try:
            yield
        except BaseException:
            self._tables.restore(before)
            self.new_learner_ids.clear()
            self.new_learner_ids.update(new_ids)
            raise


class MemoryStore:
    """Transactions run one at a time (like the SQL store on SQLite), so the conditional updates
    and unique keys decide races the way the database does; a block that raises leaves no trace."""

    parallel_transactions = 1  # one at a time, like SQLite

    def __init__(self) -> None:
        self._tables = Tables()
        self._one_at_a_time = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[MemoryUnitOfWork]:
        async with self._one_at_a_time:
            before = self._tables.snapshot()
            try:
                yield MemoryUnitOfWork(self._tables)
            except BaseException:  # as a session rolls back on any exit by exception
                self._tables = before
                raise
