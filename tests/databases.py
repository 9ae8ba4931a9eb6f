"""Database support shared by the tests and the benchmarks."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.schema import Base


async def empty_postgres(engine: AsyncEngine) -> None:
    """Empties every table of a PostgreSQL database reused between tests or runs (a SQLite file is
    new each time); does nothing on SQLite."""
    if engine.dialect.name == "postgresql":
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
