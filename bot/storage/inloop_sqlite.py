"""SQLite for the asyncio engine without a thread hop per call.

aiosqlite runs each DB-API call in a thread of its own and wakes the event loop with the result:
several loop round trips per statement, which cost more CPU than SQLite's own work (a round press ran
25 statements in about 180 loop iterations; benchmarks/round_at_scale.py). SQLite answers an indexed
query in microseconds, so here the standard sqlite3 driver is called directly, inside SQLAlchemy's
greenlet, on the loop's thread. The price: a statement blocks the loop while it runs, which is what
aiosqlite exists to avoid, so the connection never waits inside SQLite for a lock (busy_timeout 0;
the Store takes the write lock at BEGIN and sleeps between tries while another process holds it).

Since nothing here ever waits, `InLoopSession` runs statements on the session's synchronous side
directly, without the greenlet the asyncio extension starts for each call.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Mapping
from typing import Any

from sqlalchemy import URL, Executable, Result, pool
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.util.concurrency import await_, in_greenlet

NAME = "sqlite+inloop"


class SQLiteDialect_inloop(SQLiteDialect_pysqlite):
    """pysqlite, declared async: the asyncio extension runs its blocking calls in the greenlet."""

    driver = "inloop"
    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        return pool.AsyncAdaptedQueuePool

    def create_connect_args(self, url: URL) -> Any:
        args, kwargs = super().create_connect_args(url)
        kwargs["check_same_thread"] = False  # the pool may close a connection from another thread
        kwargs["factory"] = _Connection
        return args, kwargs


class InLoopSession(AsyncSession):
    """An AsyncSession whose statements, commit and close run straight on its synchronous session:
    on this driver none of them waits, so the greenlet AsyncSession starts for each call (and the
    switches into it and back) is all the asynchronous part would add: about 20 us of 45 per
    statement on the development machine. Taking a connection from the pool (which may have to wait
    for one), savepoints and rollbacks go the usual way."""

    async def execute(
            self, statement: Executable, params: Any = None, *,
            execution_options: Mapping[str, Any] = {}, bind_arguments: dict[str, Any] | None = None,
            **kw: Any) -> Result[Any]:
        # Rows are read at once, as AsyncSession asks for (prebuffer_rows).
        return self.sync_session.execute(statement, params, bind_arguments=bind_arguments,
                                         execution_options={**execution_options, "prebuffer_rows": True},
                                         **kw)

    async def commit(self) -> None:
        self.sync_session.commit()

    async def close(self) -> None:
        self.sync_session.close()  # returning the connection to the pool never waits

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        # AsyncSession closes in a task of its own so that a cancellation cannot cut the close short;
        # this close never suspends, so it cannot be cut short.
        await self.close()
        # That task was also the one moment a transaction let the loop run. Without it, work that
        # runs transaction after transaction with nothing else to wait for (a tick recording each
        # push's outcome) held the loop: 448 ms at worst over a day of pushes, against 52 ms before
        # (benchmarks/day_of_pushes.py). So the loop gets a turn after every transaction.
        await asyncio.sleep(0)


class _Cursor(sqlite3.Cursor):
    """Inside the asyncio extension's greenlet, yields to its parent once per statement:
    AsyncConnection.execute insists that an async driver awaited something. Nothing suspends, so the
    loop is not entered. Outside one (InLoopSession), runs as plain sqlite3."""

    def execute(self, sql: str, parameters: Any = (), /) -> _Cursor:
        if in_greenlet():
            await_(_nothing())
        return super().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> _Cursor:
        if in_greenlet():
            await_(_nothing())
        return super().executemany(sql, seq_of_parameters)


    async def _async_soft_close(self) -> None:
        """AsyncConnection's results call this on async drivers' cursors; here the rows simply stay
        on the cursor until fetched."""


class _Connection(sqlite3.Connection):
    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)


async def _nothing() -> None:
    """An awaitable that completes at once."""
