"""Delivery to Telegram: the core's Messenger (scheduler pushes, round reveals, replies), plus the
edit and callback answer a button press needs. Telegram's errors become the core's: Forbidden ->
RecipientUnreachable (and the learner is marked so), flood limits and network trouble -> RetryLater."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager

from telegram import Bot, InputFile, LinkPreviewOptions
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from adapters.count_edits import CountEdits
from adapters.telegram.render import Part, render
from bot.events import Address
from bot.outgoing import Outgoing
from bot.ports.delivery import RecipientUnreachable, RetryLater

log = logging.getLogger(__name__)

PLATFORM = "telegram"
NETWORK_PAUSE = 30.0  # RetryLater after network errors outlast the limiter's own retries
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # explanations cite sources; previews would bury them
_GONE = ("message to edit not found", "message can't be edited", "message_id_invalid")
_UNCHANGED = "message is not modified"
_NO_CHAT = "chat not found"
ADMINS = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})

MarkUnreachable = Callable[[str, str], Awaitable[None]]


class LatestOnly:
    """Runs one job per key at a time; jobs queued meanwhile collapse into the newest.

    Only the newest text of a message is worth sending: presses on one message that come faster
    than its edits go out would otherwise queue edits nobody will see.
    """

    def __init__(self) -> None:
        self._next: dict[Hashable, Callable[[], Awaitable[None]]] = {}
        self._running: set[Hashable] = set()

    async def run(self, key: Hashable, job: Callable[[], Awaitable[None]]) -> None:
        self._next[key] = job
        if key in self._running:
            return  # the running loop picks up the newest job
        self._running.add(key)
        try:
            while (latest := self._next.pop(key, None)) is not None:
                await latest()
        finally:
            self._running.discard(key)
            self._next.pop(key, None)


class TelegramMessenger:
    platform = PLATFORM

    def __init__(self, bot: Bot, mark_unreachable: MarkUnreachable, counts: CountEdits) -> None:
        self.bot = bot
        self._mark_unreachable = mark_unreachable
        self._edits = LatestOnly()
        self._counts = counts

    async def send(self, address: Address, message: Outgoing) -> None:
        """Posts `message` as new messages, raising RecipientUnreachable or RetryLater."""
        parts = render(message, self.bot.username)
        self._counts.posted(address.chat_id)
        async with self._translated(address):
            try:
                await self._post(int(address.chat_id), _thread(address), parts)
            except ChatMigrated as moved:  # the group became a supergroup with a new id
                log.info("chat %s moved to %s", address.chat_id, moved.new_chat_id)
                await self._post(moved.new_chat_id, None, parts)

    async def administers(self, group: Address, user_id: str) -> bool:
        """getChatMember: an owner or administrator. Telegram refusing (the bot was removed, the
        chat or user is unknown) means no, and marks nobody unreachable; its flood limits and network
        trouble raise RetryLater, as for a send."""
        async with self._translated(group):
            try:
                member = await self.bot.get_chat_member(int(group.chat_id), int(user_id))
            except (Forbidden, BadRequest) as exc:
                log.info("getChatMember for %s in chat %s refused: %s", user_id, group.chat_id,
                         exc.message)
                return False
        return member.status in ADMINS

    async def replace(self, address: Address, message_id: int, message: Outgoing) -> None:
        """Edits the message whose button was pressed. A message an edit cannot show (a photo, more
        than one message's text) or one that is gone is sent anew; an unchanged one is left alone."""
        parts = render(message, self.bot.username)
        if len(parts) != 1 or parts[0].photo is not None:
            await self.send(address, message)
            return

        async def edit() -> None:
            await self._edit(address, message_id, parts[0])

        async with self._translated(address):
            await self._edits.run((address.chat_id, message_id), edit)

    def replace_when_budget_allows(self, address: Address, message_id: int, message: Outgoing) -> None:
        """Edits a group message's running figure later, merged with newer ones or skipped (CountEdits)."""
        parts = render(message, self.bot.username)
        if len(parts) != 1 or parts[0].photo is not None:
            return  # a count that no longer fits one message is not worth a new post

        async def edit() -> None:
            async with self._translated(address):
                await self._edit(address, message_id, parts[0])

        self._counts.submit(address.chat_id, message_id, edit)

    async def acknowledge(self, query_id: str, alert: str | None = None, *, toast: bool = False) -> None:
        """Answers a button press (stops the client's spinner), with a text only the presser sees: an
        alert to dismiss, or a `toast` that fades (a round verdict). A press too old to answer, or a
        failure here, is logged: the reply still follows."""
        try:
            await self.bot.answer_callback_query(query_id, text=alert,
                                                 show_alert=alert is not None and not toast)
        except TelegramError as exc:
            log.info("could not answer callback query %s: %s", query_id, exc)

    async def _post(self, chat_id: int, thread_id: int | None, parts: list[Part]) -> None:
        for part in parts:
            if part.photo is not None:
                await self.bot.send_photo(
                    chat_id, InputFile(part.photo.png, filename=part.photo.filename),
                    caption=part.html or None, parse_mode=ParseMode.HTML, reply_markup=part.keyboard,
                    message_thread_id=thread_id)
            elif part.document is not None:
                upload = InputFile(part.document.data, filename=part.document.filename)
                upload.mimetype = part.document.mime
                await self.bot.send_document(chat_id, upload, message_thread_id=thread_id)
            else:
                await self.bot.send_message(
                    chat_id, part.html, parse_mode=ParseMode.HTML, reply_markup=part.keyboard,
                    message_thread_id=thread_id, link_preview_options=NO_PREVIEW)

    async def _edit(self, address: Address, message_id: int, part: Part) -> None:
        try:
            await self.bot.edit_message_text(
                part.html, chat_id=int(address.chat_id), message_id=message_id,
                parse_mode=ParseMode.HTML, reply_markup=part.keyboard, link_preview_options=NO_PREVIEW)
        except BadRequest as exc:
            reason = exc.message.lower()
            if _UNCHANGED in reason:
                return
            if not any(gone in reason for gone in _GONE):
                raise
            log.info("message %s in chat %s cannot be edited (%s); sending anew",
                     message_id, address.chat_id, exc.message)
            await self._post(int(address.chat_id), _thread(address), [part])

    @asynccontextmanager
    async def _translated(self, address: Address) -> AsyncIterator[None]:
        try:
            yield
        except Forbidden as exc:
            await self._unreachable(address)
            raise RecipientUnreachable(f"telegram chat {address.chat_id}: {exc.message}") from exc
        except BadRequest as exc:
            if _NO_CHAT not in exc.message.lower():
                raise
            await self._unreachable(address)
            raise RecipientUnreachable(f"telegram chat {address.chat_id}: {exc.message}") from exc
        except RetryAfter as exc:
            # The public `retry_after` warns until PTB makes it a timedelta; the limiter reads this too.
            raise RetryLater(exc._retry_after.total_seconds()) from exc
        except NetworkError as exc:  # BadRequest is handled above; the limiter has already retried
            raise RetryLater(NETWORK_PAUSE) from exc

    async def _unreachable(self, address: Address) -> None:
        """A private chat's id is its user's id: that learner gets no more pushes until they write."""
        if int(address.chat_id) > 0:
            await self._mark_unreachable(PLATFORM, address.chat_id)


def _thread(address: Address) -> int | None:
    return int(address.thread_id) if address.thread_id else None
