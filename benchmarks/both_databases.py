"""Runs a scale benchmark's `measure` on a fresh SQLite file, then on PostgreSQL when the run has one
(scripts/with-postgres.sh sets TEST_POSTGRES_URL); or gives a benchmark a fresh store on either."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bot.storage.engine import make_engine, upgrade
from bot.storage.store import Store
from tests.databases import empty_postgres

Measure = Callable[[str, str, int], Awaitable[None]]  # (database name, URL, size)


async def on_both_databases(measure: Measure, size: int, filename: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await measure("sqlite", f"sqlite+aiosqlite:///{tmp}/{filename}", size)
    if url := os.environ.get("TEST_POSTGRES_URL"):
        await measure("postgresql", url, size)
    else:
        print("[postgresql] skipped: set TEST_POSTGRES_URL or run through scripts/with-postgres.sh")


async def empty_store(url: str) -> Store:
    """A store on a migrated database with every table empty (the PostgreSQL one is reused between
    runs, so it is emptied); the caller disposes of its engine."""
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    await empty_postgres(engine)
    return Store(engine)


@asynccontextmanager
async def fresh_store(url: str | None) -> AsyncIterator[Store]:
    """An empty store for the block: on a new SQLite file, or on the PostgreSQL one emptied."""
    with tempfile.TemporaryDirectory() as folder:
        store = await empty_store(url or f"sqlite+aiosqlite:///{folder}/round.sqlite3")
        try:
            yield store
        finally:
            await store.engine.dispose()
