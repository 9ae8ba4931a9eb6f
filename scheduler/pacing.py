"""Sending at a steady rate per platform, so the platform's limit is respected by pacing rather
than discovered through 429s."""

from __future__ import annotations

import asyncio
import time

# Messages per second we allow ourselves: under Telegram's ~30/s and Discord's 50 requests/s.
PLATFORM_RATES: dict[str, float] = {"telegram": 25.0, "discord": 40.0}
DEFAULT_RATE = 20.0


class Pacer:
    """Spaces calls at least 1/rate seconds apart (a leaky bucket of size one)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            if self._next > now:
                await asyncio.sleep(self._next - now)
                now = self._next
            self._next = now + self.interval
