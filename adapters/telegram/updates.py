"""Telegram updates -> the core's events. Updates are untrusted: a field may be missing (no sender,
a press on an inline message, a callback without data), and then there is no event, only None."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from telegram import CallbackQuery, Message, Update, User
from telegram import Chat as TelegramChat
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ExtBot

from adapters.cleaning import clean
from adapters.telegram.messenger import PLATFORM
from bot.events import Address, ButtonPressed, Chat, Person

log = logging.getLogger(__name__)


class TolerantBot(ExtBot[Any]):
    """An ExtBot that survives an update it cannot parse.

    PTB parses a getUpdates batch as a whole: one unreadable update fails the batch, and polling would
    fetch the same batch again forever. Then the batch is read update by update instead, and each
    unreadable one becomes a bare update with its id (logged): the offset moves on and no handler
    matches it. Readable batches are parsed once, as before.

    Updates the poller already has (see `leave_out`) are dropped before PTB parses anything.
    """

    _batch: Sequence[dict[str, Any]] = ()  # the raw JSON of the last getUpdates
    _seen: Callable[[int], bool] = staticmethod(lambda _update_id: False)

    def leave_out(self, seen: Callable[[int], bool]) -> None:
        """Drops updates the poller has (running, or done while an older one runs): Telegram sends
        them again until the offset passes them, and parsing them again would be wasted."""
        self._seen = seen

    async def _do_post(self, endpoint: str, data: dict[str, Any], **timeouts: Any) -> Any:
        result = await super()._do_post(endpoint, data, **timeouts)
        if endpoint == "getUpdates" and isinstance(result, list):
            result = self._batch = [raw for raw in result
                                    if not (isinstance(raw, dict) and self._seen(raw.get("update_id", -1)))]
        return result

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        try:
            return await super().get_updates(*args, **kwargs)
        except TelegramError:
            raise
        except Exception:  # PTB has logged the whole batch
            return tuple(self._readable(raw) for raw in self._batch)

    def _readable(self, raw: dict[str, Any]) -> Update:
        try:
            return Update.de_json(raw, self)
        except Exception:
            log.warning("dropped an update that cannot be read: %.500r", raw, exc_info=True)
            return Update(raw["update_id"])


def person(user: User) -> Person:
    return Person(PLATFORM, str(user.id), clean(user.full_name or user.username or str(user.id)))


def chat(tg_chat: TelegramChat, thread_id: int | None = None) -> Chat:
    """A chat, with the forum topic the message came from so replies land in the same topic."""
    address = Address(PLATFORM, str(tg_chat.id), str(thread_id) if thread_id else None)
    return Chat(address, is_group=tg_chat.type != ChatType.PRIVATE, title=clean(tg_chat.title or ""))


def text(message: Message) -> str:
    """What the message says, cleaned for storage; empty if it says nothing."""
    return clean(message.text or "")


def _topic(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


def sender(message: Message) -> tuple[Person, Chat] | None:
    """Who wrote a message and where; None for messages with no person behind them."""
    if message.from_user is None:
        return None
    return person(message.from_user), chat(message.chat, _topic(message))


def press(query: CallbackQuery) -> tuple[ButtonPressed, int] | None:
    """A press and the id of the message it was on; None for presses the core cannot place (on an
    inline-mode message, or without callback data)."""
    if query.data is None or query.message is None:
        return None
    message = query.message
    topic = _topic(message) if isinstance(message, Message) else None
    pressed = ButtonPressed(person(query.from_user), chat(message.chat, topic), clean(query.data))
    return pressed, message.message_id


def describe(update: object) -> str:
    """One line on where an update came from, for the logs."""
    if not isinstance(update, Update):
        return repr(update)[:200]
    kind = ("callback_query" if update.callback_query else "message" if update.message
            else "other")
    who = update.effective_user.id if update.effective_user else None
    where = update.effective_chat.id if update.effective_chat else None
    return f"update {update.update_id} ({kind}) from user {who} in chat {where}"
