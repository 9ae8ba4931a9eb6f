"""A group question's running count ("12 answered"), edited into its message without spending the
group's message budget: merged, spaced out, and skipped when the round's own posts need the room."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

EDIT_EVERY = 3.0  # seconds between running-count edits of one group message
RESERVE = 3  # posts a group's budget keeps free for a round's own: the reveal, the board, the next question

HasRoom = Callable[[str, int], bool]  # may this chat take n more posts now (PatientLimiter.has_room)


def always_room(_chat_id: str, _posts: int) -> bool:
    """For a platform whose client paces requests itself (discord.py): only the spacing applies."""
    return True


class CountEdits:
    """Running-count edits of group messages, planned around the group's message budget.

    A group has a message budget (Telegram: about 20 a minute, edits included; Discord: 5 per 5 s per
    channel), and the round's own posts (reveal, board, next question) must never wait behind
    counts. So one message is edited at most every `every` seconds, with the newest count only, and
    only while the group's budget keeps `reserve` posts free; an edit still waiting when something
    new is posted in the chat is dropped (the reveal has made the count moot).
    """

    def __init__(self, has_room: HasRoom, every: float = EDIT_EVERY, reserve: int = RESERVE) -> None:
        self._has_room, self._every, self._reserve = has_room, every, reserve
        self._latest: dict[tuple[str, int], tuple[Callable[[], Awaitable[None]], int]] = {}
        self._tasks: dict[tuple[str, int], asyncio.Task[None]] = {}
        self._sent_at: dict[tuple[str, int], float] = {}  # loop time of each message's last edit
        self._posts: dict[str, int] = {}  # chat -> posts so far, to tell an edit it is superseded

    def submit(self, chat_id: str, message_id: int, edit: Callable[[], Awaitable[None]]) -> None:
        key = (chat_id, message_id)
        self._latest[key] = (edit, self._posts.get(chat_id, 0))
        if key not in self._tasks:
            self._tasks[key] = asyncio.create_task(self._run(key), name=f"count edits {key}")

    def posted(self, chat_id: str) -> None:
        self._posts[chat_id] = self._posts.get(chat_id, 0) + 1

    async def _run(self, key: tuple[str, int]) -> None:
        loop = asyncio.get_running_loop()
        try:
            while key in self._latest:
                due = self._sent_at.get(key, -self._every) + self._every
                await asyncio.sleep(max(0.0, due - loop.time()))
                edit, posts = self._latest[key]
                if posts != self._posts.get(key[0], 0):
                    del self._latest[key]  # superseded by a post in the chat
                    break
                if not self._has_room(key[0], self._reserve + 1):
                    self._sent_at[key] = loop.time()  # look again after another interval
                    continue
                del self._latest[key]
                self._sent_at[key] = loop.time()
                try:
                    await edit()
                except Exception as exc:  # a count is never worth more than a log line
                    log.info("count edit of message %s in chat %s not made: %r", key[1], key[0], exc)
        finally:
            del self._tasks[key]
            cutoff = loop.time() - self._every
            self._sent_at = {k: t for k, t in self._sent_at.items() if t > cutoff or k in self._tasks}
