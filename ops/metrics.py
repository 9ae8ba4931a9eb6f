"""The bot's Prometheus metrics, in the default registry (with prometheus-client's process metrics).

Adapters count each event through `handle`; the scheduler its ticks and pushes; whoever is told by a
platform to slow down counts the wait.
"""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram

from bot.core import StudyBot
from bot.events import ButtonPressed, Command, Event, TextMessage
from bot.handled import Handled

UPDATES = Counter("cmas_updates_handled_total", "Events the core handled, by how each ended.",
                  ["platform", "kind", "outcome"])
UPDATE_SECONDS = Histogram("cmas_update_handling_seconds", "Time the core took over one event.",
                           ["platform", "kind"],
                           buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
PUSHES = Counter("cmas_pushes_total", "Scheduled pushes by outcome: sent, failed or skipped.", ["outcome"])
TICK_SECONDS = Histogram("cmas_tick_seconds", "Duration of one scheduler tick.",
                         buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
RATE_LIMIT_WAITS = Counter("cmas_rate_limit_waits_total", "Times a platform told the bot to wait.",
                           ["platform"])
RATE_LIMIT_WAIT_SECONDS = Counter("cmas_rate_limit_wait_seconds_total",
                                  "Seconds platforms told the bot to wait.", ["platform"])
LOOP_LAG = Gauge("cmas_event_loop_lag_seconds", "How late the event loop last woke a sleeper.")
_KINDS = {Command: "command", ButtonPressed: "press", TextMessage: "text"}


async def handle(study: StudyBot, event: Event) -> Handled:
    """`study.process(event)`, timed and counted."""
    started = time.perf_counter()
    handled = await study.process(event)
    platform, what = event.person.platform, _KINDS[type(event)]
    UPDATE_SECONDS.labels(platform, what).observe(time.perf_counter() - started)
    UPDATES.labels(platform, what, handled.outcome).inc()
    return handled


def rate_limited(platform: str, seconds: float) -> None:
    RATE_LIMIT_WAITS.labels(platform).inc()
    RATE_LIMIT_WAIT_SECONDS.labels(platform).inc(max(seconds, 0.0))
