"""Scheduler ticks over days, as the weekly-push tests run them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar

from scheduler.tick import Ticker

Sent = TypeVar("Sent")


async def tick_twice_every_half_hour(ticker: Ticker, sent: list[Sent], start: datetime,
                                     days: int) -> list[tuple[datetime, Sent]]:
    """Ticks every 30 minutes for `days`, twice at each instant (ticks overlap in production), and
    returns each item the messenger added to `sent`, with the instant of the tick that sent it."""
    received: list[tuple[datetime, Sent]] = []
    instant = start
    while instant < start + timedelta(days=days):
        for _ in range(2):
            before = len(sent)
            await ticker.tick(instant)
            received += [(instant, item) for item in sent[before:]]
        instant += timedelta(minutes=30)
    return received
