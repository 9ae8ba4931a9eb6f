"""Leaderboards at 10,000 members with a year of study: /leaderboard week and all, end to end through
the core (learner lookup, membership, the ranking query, the reply, the commit), against 50 ms.

A year of raw answers for 10,000 members is tens of millions of rows, and no board reads them: each
answer adds its points to the learner's running total and to the current week of each of their
groups, in the answer's transaction. So this seeds exactly those totals, at a year's volume: 52 weeks
for every member who studied that week (about 70 % of them), in the big group and in 100 small groups
the same learners also belong to, plus the running totals. The answers table stays empty.

Run: .venv/bin/python benchmarks/leaderboard_scale.py [members]          (SQLite only)
     scripts/with-postgres.sh .venv/bin/python benchmarks/leaderboard_scale.py   (SQLite + PostgreSQL)
The baseline measured in the same run is a plain indexed SELECT of the group's member list.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text

from bot.content.bank import load_bank
from bot.core import StudyBot
from bot.domain.schedule import week_start
from bot.events import Address, Chat, Command, Person
from bot.ports.clock import FixedClock
from bot.storage.points import ALL_TIME
from bot.storage.schema import Base, GroupChatRow, GroupMemberRow, GroupPointsRow, IdentityRow, LearnerRow
from bot.storage.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for benchmarks.* run as a script
from benchmarks.both_databases import empty_store, on_both_databases

BANK = load_bank(Path(__file__).resolve().parents[1] / "content" / "questions")
NOW = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)  # a Thursday
ZONE = "America/Chicago"
GROUP = "-1000"
WEEKS = 52
SMALL_GROUPS = 100
REPEATS = 31
LIMIT_MS = 50.0
CHUNK = 10_000


async def _insert(store: Store, table: type[Base], rows: list[dict[str, Any]]) -> None:
    async with store.engine.begin() as conn:
        for start in range(0, len(rows), CHUNK):
            await conn.execute(insert(table), rows[start:start + CHUNK])


async def seed(store: Store, members: int) -> int:
    """The members, their groups, a year of weekly totals and the running totals; returns the
    number of group total rows."""
    rng = random.Random(1)
    monday = week_start(NOW, ZoneInfo(ZONE)).date()
    weeks = [monday - timedelta(weeks=w) for w in range(WEEKS)]
    groups = [GROUP, *(f"-{2000 + g}" for g in range(SMALL_GROUPS))]
    await _insert(store, GroupChatRow, [{"platform": "telegram", "chat_id": g, "title": g, "timezone": ZONE,
                                         "round_seconds": 30, "created_at": NOW} for g in groups])
    learners, memberships, weekly = [], [], []
    for i in range(members):
        small = groups[1 + i % SMALL_GROUPS]
        total = 0
        for week in weeks:
            if rng.random() < 0.7:
                points = rng.randint(1, 700)
                total += points
                weekly += [{"platform": "telegram", "chat_id": g, "period": week, "learner_id": i + 1,
                            "points": points} for g in (GROUP, small)]
        weekly += [{"platform": "telegram", "chat_id": g, "period": ALL_TIME, "learner_id": i + 1,
                    "points": total} for g in (GROUP, small) if total]
        learners.append({"platform": "telegram", "user_id": str(i), "display_name": f"Member {i:05d}",
                         "daily_goal": 10, "private_chat_id": str(i), "unreachable": False,
                         "created_at": NOW - timedelta(weeks=WEEKS), "points": total})
        memberships += [{"platform": "telegram", "chat_id": g, "learner_id": i + 1, "joined_at": NOW}
                        for g in (GROUP, small)]
    await _insert(store, LearnerRow, learners)
    await _insert(store, IdentityRow, [  # every account finds its learner through its identity
        {"platform": "telegram", "user_id": str(i), "learner_id": i + 1, "private_chat_id": str(i),
         "unreachable": False, "linked_at": NOW - timedelta(weeks=WEEKS)} for i in range(members)])
    await _insert(store, GroupMemberRow, memberships)
    await _insert(store, GroupPointsRow, weekly)
    return len(weekly)


async def timings_ms(action: Callable[[int], Awaitable[object]]) -> list[float]:
    timings = []
    for repeat in range(REPEATS):
        started = time.perf_counter()
        await action(repeat)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def summary(timings: list[float], baseline: float) -> str:
    median = statistics.median(timings)
    verdict = "under" if median < LIMIT_MS else "OVER"
    return (f"median {median:.1f} ms, max {max(timings):.1f} ms ({median / baseline:.1f}x baseline; "
            f"{verdict} {LIMIT_MS:.0f} ms)")


async def measure(name: str, url: str, members: int) -> None:
    store = await empty_store(url)
    engine = store.engine
    started = time.perf_counter()
    weekly = await seed(store, members)
    if engine.dialect.name == "postgresql":  # what autovacuum does soon after a load like this
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    seconds = time.perf_counter() - started
    print(f"[{name}] seeded {members} members, {weekly} group totals in {seconds:.0f} s")

    bot = StudyBot(store, BANK, FixedClock(NOW), default_timezone="UTC")
    group = Chat(Address("telegram", GROUP), is_group=True, title=GROUP)
    askers = random.Random(2).sample(range(members), REPEATS)

    async def member_list(_repeat: int) -> None:
        async with engine.connect() as conn:
            stmt = select(GroupMemberRow.learner_id).where(GroupMemberRow.platform == "telegram",
                                                          GroupMemberRow.chat_id == GROUP)
            assert len((await conn.execute(stmt)).all()) == members

    def board(period: str) -> Callable[[int], Awaitable[object]]:
        async def ask(repeat: int) -> None:
            i = askers[repeat]  # a different member each time, mostly ranked outside the top 10
            [reply] = await bot.handle(Command(Person("telegram", str(i), f"Member {i:05d}"), group,
                                               "leaderboard", (period,)))
            assert reply.text.count("\n") >= 10, reply.text
        return ask

    await member_list(0)  # warm the connection pool and caches for every measurement alike
    baseline = statistics.median(await timings_ms(member_list))
    print(f"[{name}] baseline, indexed SELECT of the {members} member ids: median {baseline:.1f} ms")
    for period in ("week", "all"):
        await board(period)(0)
        print(f"[{name}] /leaderboard {period}: {summary(await timings_ms(board(period)), baseline)}")
    await engine.dispose()


async def main() -> None:
    members = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    await on_both_databases(measure, members, "bench.sqlite3")


if __name__ == "__main__":
    asyncio.run(main())
