"""A day of pushes at 100,000 learners: the process's memory after it, and how late the event loop ran
meanwhile (the in-loop SQLite driver runs statements on the loop, so a long one would stall it).

100,000 learners with reminders spread over the day in nine time zones (benchmarks/scheduler_scale.py
seeds them) get one simulated day of scheduler ticks, every 5 minutes of clock time, each claiming,
"sending" to a messenger that only counts, and recording every push due. Telegram's pacing is lifted:
this measures the bot's work, not the 25 messages a second it allows. A sampler wakes every 10 ms and
records how late it woke; the baseline is the same sampler with the process idle, in the same run.

Run: .venv/bin/python benchmarks/day_of_pushes.py [learners]         (SQLite)
     scripts/with-postgres.sh .venv/bin/python benchmarks/day_of_pushes.py   (SQLite + PostgreSQL)
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import random
import resource
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from app.runtime import settle_startup_memory  # noqa: E402
from benchmarks.both_databases import empty_store, on_both_databases  # noqa: E402
from benchmarks.scheduler_scale import BANK, START, seed  # noqa: E402
from bot.core import StudyBot  # noqa: E402
from bot.events import Address  # noqa: E402
from bot.outgoing import Outgoing  # noqa: E402
from bot.ports.clock import FixedClock  # noqa: E402
from bot.storage.engine import make_engine  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from scheduler import pacing  # noqa: E402
from scheduler.tick import Ticker  # noqa: E402

SAMPLE_EVERY = 0.01
TICK_EVERY = timedelta(minutes=5)


class CountingMessenger:
    platform = "telegram"

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, address: Address, message: Outgoing) -> None:
        self.sent += 1

    async def administers(self, group: Address, user_id: str) -> bool:
        return True


class LagSampler:
    """How late a 10 ms sleep wakes, while it runs; and the garbage collector's full collections
    meanwhile (each stops the loop for as long as it takes)."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self.full_collections: list[float] = []
        self._started = 0.0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        gc.callbacks.append(self._collected)
        try:
            while True:
                due = loop.time() + SAMPLE_EVERY
                await asyncio.sleep(SAMPLE_EVERY)
                self.lags.append(loop.time() - due)
        finally:
            gc.callbacks.remove(self._collected)

    def _collected(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif info["generation"] == 2:
            self.full_collections.append(time.perf_counter() - self._started)

    def summary(self) -> str:
        p99 = statistics.quantiles(self.lags, n=100)[98]
        longest = max(self.full_collections, default=0.0)
        return (f"loop lag p50 {statistics.median(self.lags) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
                f"max {max(self.lags) * 1000:.1f} ms over {len(self.lags)} samples; "
                f"{len(self.full_collections)} full GC collections, the longest {longest * 1000:.0f} ms")


async def sampled(seconds: float | None, work: object = None) -> LagSampler:
    """Samples the loop's lag for `seconds` idle, or while `work` (an awaitable) runs."""
    sampler = LagSampler()
    task = asyncio.create_task(sampler.run())
    if work is None:
        await asyncio.sleep(seconds or 0)
    else:
        await work  # type: ignore[misc]
    task.cancel()
    return sampler


def seed_elsewhere(url: str, count: int) -> None:
    """Seeds in a process of its own: building 100,000 rows in this one would leave their memory in
    the figure measured here."""
    context = multiprocessing.get_context("spawn")
    child = context.Process(target=_seed, args=(url, count))
    child.start()
    child.join()
    if child.exitcode:
        raise RuntimeError(f"seeding failed ({child.exitcode})")


def _seed(url: str, count: int) -> None:
    async def run() -> None:
        engine = make_engine(url)
        await seed(Store(engine), count)
        await engine.dispose()

    asyncio.run(run())


def rss_mib() -> float:
    """The resident set now (not the peak), from /proc."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


async def measure(name: str, url: str, count: int) -> None:
    store = await empty_store(url)
    engine = store.engine
    await asyncio.to_thread(seed_elsewhere, url, count)
    clock = FixedClock(START)
    bot = StudyBot(store, BANK, clock, rng=random.Random(3))
    messenger = CountingMessenger()
    ticker = Ticker(bot, {"telegram": messenger})
    settle_startup_memory()  # as the bot does once its frontends are up (app.runtime.serve)
    idle = await sampled(5.0)
    before = rss_mib()

    async def day() -> None:
        while clock.now() < START + timedelta(days=1):
            clock.set(clock.now() + TICK_EVERY)
            await ticker.tick()

    started = time.perf_counter()
    busy = await sampled(None, day())
    took = time.perf_counter() - started
    print(f"[{name}] {count} learners, a day of ticks every {TICK_EVERY.seconds // 60} min: {messenger.sent} "
          f"pushes sent in {took:.0f} s")
    print(f"[{name}] baseline, idle: {idle.summary()}")
    print(f"[{name}] during the day's ticks: {busy.summary()}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"[{name}] RSS before the day {before:.0f} MiB, after {rss_mib():.0f} MiB (peak {peak:.0f} MiB)")
    await engine.dispose()


async def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    pacing.PLATFORM_RATES["telegram"] = 1e9  # the bot's work, not Telegram's allowance
    await on_both_databases(measure, count, "day.sqlite3")


if __name__ == "__main__":
    asyncio.run(main())
