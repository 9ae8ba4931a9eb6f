"""How requests to the Bot API are paced and retried, and how updates are scheduled.

`PatientLimiter` is PTB's AIORateLimiter (flood limits, RetryAfter honoured and retried) plus
retries with backoff for network errors. `PerUserOrder` runs different users' updates concurrently but
one user's in arrival order, so a typed answer never overtakes the /quiz before it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

import httpx
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter, BaseUpdateProcessor

from ops import metrics

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]


def _surely_unsent(exc: TimedOut) -> bool:
    """A connect or pool timeout happened before the request left; any other may have arrived."""
    return isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


class PatientLimiter(AIORateLimiter):
    def __init__(self, *, per_second: float, group_per_minute: float, flood_retries: int,
                 network_retries: int, backoff: float) -> None:
        super().__init__(overall_max_rate=per_second, group_max_rate=group_per_minute,
                         max_retries=flood_retries)
        self._network_retries, self._backoff = network_retries, backoff

    async def process_request(
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        """Retries network errors with exponential backoff; a timed-out send that may have arrived
        is not repeated, since a duplicate question is worse than a RetryLater. Every RetryAfter is
        counted for /metrics before AIORateLimiter waits it out."""

        async def counted(*call_args: Any, **call_kwargs: Any) -> JSON:
            try:
                answer: JSON = await callback(*call_args, **call_kwargs)
            except RetryAfter as exc:
                metrics.rate_limited("telegram", exc._retry_after.total_seconds())
                raise
            return answer

        attempt = 0
        while True:
            try:
                result: JSON = await super().process_request(counted, args, kwargs, endpoint, data,
                                                             rate_limit_args)
                return result
            except BadRequest:
                raise
            except NetworkError as exc:
                resend_risk = (isinstance(exc, TimedOut) and endpoint.startswith("send")
                               and not _surely_unsent(exc))
                if attempt >= self._network_retries or resend_risk:
                    raise
                delay = self._backoff * 2 ** attempt
                attempt += 1
                log.info("%s failed (%s); retry %d in %.2f s", endpoint, exc, attempt, delay)
                await asyncio.sleep(delay)


def _user_of(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None


@dataclass(slots=True)
class _Queue:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


class PerUserOrder(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._queues: dict[int, _Queue] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = _user_of(update)
        if user is None:
            await coroutine
            return
        queue = self._queues.setdefault(user, _Queue())
        queue.waiting += 1
        try:
            async with queue.lock:
                await coroutine
        finally:
            queue.waiting -= 1
            if not queue.waiting:
                del self._queues[user]  # nothing is kept for users who are not mid-update

    async def initialize(self) -> None:
        """Nothing to set up: locks are made per user as updates arrive."""

    async def shutdown(self) -> None:
        """Nothing to release."""

