"""Finding the group questions still open, after a year of rounds: what the reveal timer asks after
every reveal (the next close) and what every tick asks (the questions due), against a prompts table
where nearly every group question is long closed.

Seeds `questions` closed group questions (a year of rounds in a few hundred groups) and ten open ones,
then times both reads through the store, as medians of 51 calls: with the schema's partial index on
the open questions, and, as the baseline in the same run, with the plain close-time index that was
there before (migration 0010) in its place.

Run: .venv/bin/python benchmarks/open_questions.py [questions]          (SQLite only)
     scripts/with-postgres.sh .venv/bin/python benchmarks/open_questions.py   (SQLite + PostgreSQL)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.both_databases import empty_store, on_both_databases
from bot.storage.schema import PromptRow
from bot.storage.store import Store

NOW = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
OPEN = 10
GROUPS = 300
REPEATS = 51
CHUNK = 10_000
INDEX = "ix_prompts_open_group"


async def seed(store: Store, closed: int) -> None:
    year = timedelta(days=365)
    rows = []
    for i in range(closed + OPEN):
        asked = NOW - year + year * i / closed if i < closed else NOW - timedelta(seconds=60)  # open, due
        rows.append({"platform": "telegram", "chat_id": str(-1000 - i % GROUPS), "learner_id": None,
                     "question_id": "d1-0001", "daily": False, "domain": None, "created_at": asked,
                     "closes_at": asked + timedelta(seconds=30),
                     "closed_at": asked + timedelta(seconds=30) if i < closed else None})
    async with store.engine.begin() as conn:
        for start in range(0, len(rows), CHUNK):
            await conn.execute(insert(PromptRow), rows[start:start + CHUNK])
        if store.engine.dialect.name == "postgresql":
            await conn.execute(text("ANALYZE prompts"))


async def median_ms(call: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def measure(name: str, url: str, closed: int) -> None:
    store = await empty_store(url)
    engine = store.engine
    await seed(store, closed)

    async def next_close() -> None:
        async with store.transaction() as tx:
            assert await tx.prompts.next_group_close("telegram") is not None

    async def due() -> None:
        async with store.transaction() as tx:
            assert len(await tx.prompts.due_group_prompts(NOW)) == OPEN

    indexed = [await median_ms(next_close), await median_ms(due)]
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP INDEX {INDEX}"))
        await conn.execute(text("CREATE INDEX ix_prompts_closes_at ON prompts (closes_at)"))
        if engine.dialect.name == "postgresql":
            await conn.execute(text("ANALYZE prompts"))
    plain = [await median_ms(next_close), await median_ms(due)]
    print(f"[{name}] {closed} closed group questions, {OPEN} open; medians of {REPEATS} calls:")
    for label, with_index, without in zip(("next close (reveal timer)", "questions due (each tick)"),
                                          indexed, plain, strict=True):
        print(f"[{name}]   {label}: {with_index:.2f} ms with the partial index, {without:.2f} ms "
              f"with the plain one (baseline), {without / with_index:.0f}x")
    await engine.dispose()


async def main() -> None:
    closed = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    await on_both_databases(measure, closed, "open_questions.sqlite3")


if __name__ == "__main__":
    asyncio.run(main())
