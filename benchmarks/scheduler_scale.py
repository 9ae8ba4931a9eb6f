"""Scheduler at 100,000 learners: the cost of a tick with nothing due, the cost per push of claiming
and building a due batch (no platform sending), and the process's peak memory.

Run: .venv/bin/python benchmarks/scheduler_scale.py [learners]          (SQLite only)
     scripts/with-postgres.sh .venv/bin/python benchmarks/scheduler_scale.py   (SQLite + PostgreSQL)
The baseline measured in the same run is one `SELECT 1` round trip on the same engine.
"""

from __future__ import annotations

import asyncio
import random
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from bot.content.bank import load_bank
from bot.domain.models import Learner
from bot.domain.schedule import learner_schedule
from bot.pushes.claims import claim_due
from bot.storage.engine import make_engine, upgrade
from bot.storage.schema import Base, LearnerRow
from bot.storage.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for benchmarks.* run as a script
from benchmarks.both_databases import on_both_databases

BANK = load_bank(Path(__file__).resolve().parents[1] / "content" / "questions")
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
         "America/Phoenix", "Pacific/Honolulu", "Europe/London", "Asia/Manila", "UTC"]
START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
SAMPLE = 5_000


async def seed(store: Store, count: int) -> None:
    rng = random.Random(1)
    rows = []
    for i in range(count):
        zone = rng.choice(ZONES)
        remind = f"{rng.randrange(6, 23):02d}:{rng.choice((0, 15, 30, 45)):02d}"
        learner = Learner(i + 1, "telegram", str(i), f"L{i}", zone, datetime.strptime(remind, "%H:%M").time(),
                          None, 10, str(i), False)
        rows.append({"platform": "telegram", "user_id": str(i), "display_name": f"L{i}", "timezone": zone,
                     "remind_at": remind, "daily_goal": 10, "private_chat_id": str(i), "unreachable": False,
                     "created_at": START, "next_push_at": learner_schedule(learner, "UTC", START)})
    async with store.engine.begin() as conn:
        for chunk in range(0, count, 5000):
            await conn.execute(insert(LearnerRow), rows[chunk:chunk + 5000])


async def median_ms(action, repeats: int) -> float:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        await action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


async def measure(name: str, url: str, count: int) -> None:
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    store = Store(engine)
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    started = time.perf_counter()
    await seed(store, count)
    seeded = time.perf_counter() - started
    rng = random.Random(2)

    async def select_one() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async with engine.connect() as conn:
        first_due = await conn.scalar(text("SELECT min(next_push_at) FROM learners"))
    quiet = START  # every next_push_at is after START: a tick then finds nothing due
    baseline = await median_ms(select_one, 31)
    empty = await median_ms(lambda: claim_due(store, BANK, "UTC", quiet, ["telegram"], rng), 31)

    # Ticks every 15 minutes from START, each claiming until nothing is left, until SAMPLE
    # pushes have been claimed and built: the per-push cost a real busy morning pays.
    per_push: list[float] = []
    pushes = 0
    now = START
    while pushes < SAMPLE:
        now += timedelta(minutes=15)
        while True:
            started = time.perf_counter()
            claimed = await claim_due(store, BANK, "UTC", now, ["telegram"], rng)
            handled = len(claimed.pushes) + claimed.skipped
            if not handled:
                break
            per_push.append((time.perf_counter() - started) * 1000 / handled)
            pushes += len(claimed.pushes)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"[{name}] {count} learners seeded in {seeded:.1f} s (first due {first_due})")
    print(f"[{name}] baseline SELECT 1: median {baseline:.2f} ms")
    print(f"[{name}] empty tick: median {empty:.2f} ms ({empty / baseline:.1f}x baseline)")
    print(f"[{name}] claim + build: median {statistics.median(per_push):.3f} ms per push "
          f"({len(per_push)} batches, {pushes} pushes, until {now:%H:%M} UTC)")
    print(f"[{name}] peak RSS so far: {peak_mb:.0f} MB")
    await engine.dispose()


async def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    await on_both_databases(measure, count, "bench.sqlite3")


if __name__ == "__main__":
    asyncio.run(main())
