"""The periodic job: APScheduler 3 runs one tick every TICK_SECONDS on the bot's own event loop.

One job for everyone (not one per learner): the due set lives in the database, so restarts and extra
instances need no scheduler state of their own.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.tick import Ticker

log = logging.getLogger(__name__)
TICK_SECONDS = 30
STOP_WAIT = 10.0  # seconds a stop waits for the tick in progress


class PushScheduler:
    def __init__(self, ticker: Ticker, seconds: float = TICK_SECONDS) -> None:
        self.ticker = ticker
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler.add_job(
            self._tick, IntervalTrigger(seconds=seconds, timezone=UTC), id="tick",
            next_run_time=datetime.now(UTC),
            max_instances=1,  # a slow tick delays the next one instead of overlapping it
            coalesce=True,  # after a stall, run once rather than once per missed interval
        )
        self._ticking: asyncio.Task[Any] | None = None

    def start(self) -> None:
        """Starts ticking on the running event loop."""
        self._scheduler.start()

    async def stop(self) -> None:
        """Stops ticking and lets a tick in progress finish: one cut off at exit would be cancelled
        mid-transaction (and on SQLite leave its connection's thread holding the process open)."""
        self._scheduler.shutdown(wait=False)
        if self._ticking is not None and not self._ticking.done():
            await asyncio.wait([self._ticking], timeout=STOP_WAIT)

    async def _tick(self) -> None:
        self._ticking = asyncio.current_task()
        try:
            await self.ticker.tick()
        except Exception:  # a failed tick must not stop the schedule; the next one retries
            log.exception("scheduler tick failed")
