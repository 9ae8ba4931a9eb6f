"""How requests to the Bot API are paced and retried, and how updates are scheduled.

`PatientLimiter` keeps Telegram's flood limits per chat and retries network errors with backoff.
`PerUserOrder` runs different users' updates concurrently but one user's in arrival order, so a typed
answer never overtakes the /quiz before it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor

from adapters.telegram.transport import UnsentTimeout
from ops import metrics

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]
GROUPS_KEPT = 512  # group windows kept before idle ones are let go
GROUP_PERIOD = 60.0  # seconds over which a group's message limit counts


class PatientLimiter(BaseRateLimiter[int]):
    """Telegram's flood limits, kept per chat.

    Requests with a chat are paced to `per_second` overall and, in a group, `group_per_minute` (a
    sliding window per group, which `has_room` lets the messenger consult before a skippable edit).
    A RetryAfter delays the request it answered and later requests to the same chat, never the rest:
    PTB's AIORateLimiter holds every request of the bot for the wait, so one 429 on a callback answer
    in a busy round would make every other presser wait. Network errors are retried with backoff;
    a timed-out send that may have arrived is not repeated, since a duplicate question is worse
    than a RetryLater.
    """

    def __init__(self, *, per_second: float, group_per_minute: float, flood_retries: int,
                 network_retries: int, backoff: float) -> None:
        self._overall = AsyncLimiter(per_second, 1) if per_second else None
        self._group_per_minute = group_per_minute
        self._groups: dict[int | str, SlidingWindow] = {}
        self._flood_retries = flood_retries
        self._network_retries, self._backoff = network_retries, backoff
        self._paused: dict[int | str, float] = {}  # chat -> loop time its flood wait ends

    async def initialize(self) -> None:
        """Nothing to set up: limiters are made per group as requests come."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def has_room(self, chat_id: str, posts: int) -> bool:
        """Whether the chat could take `posts` more messages now without waiting for its budget."""
        window = self._groups.get(_parsed(chat_id))
        return window is None or window.has_room(posts)

    async def process_request(
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        chat = _chat_key(data.get("chat_id"))
        flood_waits = network_tries = 0
        while True:
            try:
                return await self._paced(chat, lambda: callback(*args, **kwargs))
            except RetryAfter as exc:
                wait = exc._retry_after.total_seconds()  # the public property warns until PTB 23
                metrics.rate_limited("telegram", wait)
                if flood_waits >= (rate_limit_args or self._flood_retries):
                    raise
                flood_waits += 1
                log.info("%s: flood limit, retrying in %.1f s", endpoint, wait)
                if chat is not None:
                    loop = asyncio.get_running_loop()
                    self._paused[chat] = max(self._paused.get(chat, 0.0), loop.time() + wait)
                await asyncio.sleep(wait)
            except BadRequest:
                raise
            except NetworkError as exc:
                resend_risk = (isinstance(exc, TimedOut) and endpoint.startswith("send")
                               and not isinstance(exc, UnsentTimeout))
                if network_tries >= self._network_retries or resend_risk:
                    raise
                delay = self._backoff * 2 ** network_tries
                network_tries += 1
                log.info("%s failed (%s); retry %d in %.2f s", endpoint, exc, network_tries, delay)
                await asyncio.sleep(delay)

    async def _paced(self, chat: int | str | None, call: Callable[[], Awaitable[JSON]]) -> JSON:
        if chat is None:  # callback answers and the like: no flood limit of their own
            return await call()
        resume = self._paused.get(chat)
        if resume is not None:  # this chat had a RetryAfter: its later requests wait it out too
            await asyncio.sleep(max(0.0, resume - asyncio.get_running_loop().time()))
            if self._paused.get(chat) == resume:
                del self._paused[chat]
        group = self._group(chat)
        if group is not None:
            await group.acquire()
        async with self._overall if self._overall is not None else contextlib.nullcontext():
            return await call()

    def _group(self, chat: int | str) -> SlidingWindow | None:
        """Groups have negative ids (or @usernames); private chats only share the overall limit."""
        if not self._group_per_minute or (isinstance(chat, int) and chat > 0):
            return None
        if chat not in self._groups:
            if len(self._groups) >= GROUPS_KEPT:  # forget groups with nothing sent in the last minute
                self._groups = {key: window for key, window in self._groups.items() if window.used()}
            self._groups[chat] = SlidingWindow(int(self._group_per_minute), GROUP_PERIOD)
        return self._groups[chat]


class SlidingWindow:
    """At most `limit` acquisitions in any `period` seconds. Stricter than a leaky bucket, which
    after a full burst lets one more through every period/limit seconds: Telegram counts a group's
    messages over the whole minute."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self._times: collections.deque[float] = collections.deque()

    def used(self) -> int:
        cutoff = asyncio.get_running_loop().time() - self.period
        while self._times and self._times[0] <= cutoff:
            self._times.popleft()
        return len(self._times)

    def has_room(self, count: int) -> bool:
        return self.used() + count <= self.limit

    async def acquire(self) -> None:
        while self.used() >= self.limit:  # noqa: ASYNC110 - waits for the window, not for an event
            await asyncio.sleep(self._times[0] + self.period - asyncio.get_running_loop().time())
        self._times.append(asyncio.get_running_loop().time())


def _chat_key(chat_id: object) -> int | str | None:
    """A chat id as PTB may pass it (int, digits, @username), as one key per chat."""
    if chat_id is None or isinstance(chat_id, int):
        return chat_id
    return _parsed(str(chat_id))


def _parsed(text: str) -> int | str:
    return int(text) if text.lstrip("-").isdigit() else text


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

