"""What the bot does with each update: translate it, let the core answer, deliver the replies.

A press is answered (answerCallbackQuery) as soon as the core has graded it, so a short private reply
("Correct, +10") can ride on the answer (a toast for a round verdict, an alert otherwise); if grading
takes longer than `ack_within`, the press is answered blank and the reply comes as a message, except
a fleeting one (a round verdict: the reveal names who was right), which is dropped. Replies marked
private go to the presser alone: the callback answer, or a direct message when the event came from a
group. Someone who never opened a private chat with the bot gets, in the group, at most one short
notice a day with a button that opens it, never one per reply.

Each event is stamped with when Telegram handed its update over (Intake.received_at): a round's
deadline is judged by that, not by when grading got to it.

Each event carries its update's id, so the core applies an update once however often Telegram sends
it; when the core fails on one, nothing is said until its last try (see intake.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import date
from typing import Any

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from adapters.telegram import menu, updates
from adapters.telegram.intake import Intake
from adapters.telegram.messenger import PLATFORM, TelegramMessenger
from adapters.telegram.render import alert_text
from bot import outbox
from bot.core import ADMIN_COMMANDS, StudyBot
from bot.events import Address, Chat, Command, Event, Person, TextMessage, parse_command
from bot.handled import Outcome
from bot.outgoing import Outgoing
from bot.ports.delivery import RecipientUnreachable, RetryLater
from ops import metrics

log = logging.getLogger(__name__)

UNUSABLE_BUTTON = "This button no longer works. Send /help to carry on."
FAILED_PRESS = "Sorry, something went wrong on our side. Please try again."
TOLD_KEPT = 10_000  # people remembered as told today before older days are let go


class Handlers:
    def __init__(self, study: StudyBot, messenger: TelegramMessenger, ack_within: float,
                 intake: Intake) -> None:
        self.study, self.messenger, self.ack_within = study, messenger, ack_within
        self.intake = intake
        self._told: dict[str, date] = {}  # user id -> the day they last got the private-chat notice

    def install(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, self.command))
        application.add_handler(MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND,
            self.text))
        application.add_handler(CallbackQueryHandler(self.press))
        application.add_error_handler(self.error)

    async def command(self, update: Update, _context: object) -> None:
        """`/name args` or `/name@ThisBot args`; commands for other bots, and in a group bare commands
        that are not ours, are left alone."""
        message = update.message
        origin = updates.sender(message) if message else None
        if message is None or message.text is None or origin is None:
            return
        parsed = parse_command(updates.text(message), self.messenger.bot.username)
        if parsed is None:
            return
        name, args = parsed
        person, chat = origin
        if chat.is_group and name not in menu.KNOWN and "@" not in message.text.split()[0]:
            return
        is_admin = chat.is_group and name in ADMIN_COMMANDS and await self._is_admin(message)
        replies = await self._handle(update, Command(person, chat, name, args, is_admin=is_admin))
        if replies is not None:
            await self._deliver(person, chat, replies)
            await self._delivered(update, replies)

    async def text(self, update: Update, _context: object) -> None:
        """Plain text in a private chat: a typed answer (`B`) or a nudge towards /quiz."""
        message = update.message
        origin = updates.sender(message) if message else None
        if message is None or message.text is None or origin is None:
            return
        person, chat = origin
        replies = await self._handle(update, TextMessage(person, chat, updates.text(message)))
        if replies is not None:
            await self._deliver(person, chat, replies)
            await self._delivered(update, replies)

    async def press(self, update: Update, _context: object) -> None:
        """A button press: graded by the core, answered, then the pressed message is edited."""
        query = update.callback_query
        if query is None:
            return
        pressed = updates.press(query)
        if pressed is None:
            log.warning("unusable press: %s", updates.describe(update))
            await self.messenger.acknowledge(query.id, UNUSABLE_BUTTON)
            return
        event, message_id = pressed
        grading = asyncio.create_task(self._handle(update, event))
        await asyncio.wait([grading], timeout=self._ack_time_left(update.update_id))
        alert: Outgoing | None = None
        if not grading.done():
            await self.messenger.acknowledge(query.id)
            replies = await grading
        else:
            replies = grading.result()
            if replies is None:  # left unanswered: the press comes again
                return
            alert = next((r for r in replies if r.private and alert_text(r) is not None), None)
            await self.messenger.acknowledge(query.id, alert_text(alert) if alert else None,
                                             toast=alert is not None and alert.fleeting)
        if replies is not None:
            await self._deliver(event.person, event.chat,
                                [r for r in replies if r is not alert and not r.fleeting], message_id)
            await self._delivered(update, replies)

    def _ack_time_left(self, update_id: int) -> float:
        """The press's acknowledgement is due `ack_within` after it arrived, however long it waited
        for its turn: past that, it is answered blank and the grading goes on."""
        received = self.intake.received_at(update_id)
        waited = (self.study.clock.now() - received).total_seconds() if received else 0.0
        return max(0.0, self.ack_within - waited)

    async def _handle(self, update: Update, event: Event) -> list[Outgoing] | None:
        """The core's replies to the update's event (again, if a crash kept them from being sent);
        None if the core failed and Telegram is to deliver the update again."""
        stamped = dataclasses.replace(event, update_id=self._id(update),
                                      made_at=self.intake.received_at(update.update_id))
        handled = await metrics.handle(self.study, stamped)
        if handled.outcome is Outcome.FAILED and self.intake.again(update.update_id):
            return None
        return handled.replies

    def _id(self, update: Update) -> str:
        return f"{self.messenger.bot.id}:{update.update_id}"

    async def _delivered(self, update: Update, replies: list[Outgoing]) -> None:
        """The replies are out: a redelivery of this update needs none (bot.outbox). Nothing was
        kept for replies that are not lasting, so then there is nothing to mark."""
        if outbox.lasting(replies):
            await self.study.delivered(PLATFORM, self._id(update))

    async def error(self, update: object, context: object) -> None:
        """Logs a failed update with where it came from; PTB goes on with the next update."""
        error = getattr(context, "error", None)
        log.error("%s failed", updates.describe(update), exc_info=error)
        if isinstance(update, Update) and update.callback_query is not None:
            await self.messenger.acknowledge(update.callback_query.id, FAILED_PRESS)

    async def _is_admin(self, message: Message) -> bool:
        """Chat admins may change group settings; an anonymous admin posts as the group itself."""
        if message.sender_chat is not None:
            return message.sender_chat.id == message.chat.id
        if message.from_user is None:
            return False
        try:
            return await self.messenger.administers(Address(PLATFORM, str(message.chat.id)),
                                                    str(message.from_user.id))
        except RetryLater as exc:
            log.warning("getChatMember failed in chat %s: %s", message.chat.id, exc.__cause__)
            return False

    async def _deliver(self, person: Person, chat: Chat, replies: list[Outgoing],
                       pressed_message: int | None = None) -> None:
        try:
            for reply in replies:
                if reply.private and chat.is_group:
                    await self._send_privately(person, chat, reply)
                elif reply.replace and pressed_message is not None and reply.skippable:
                    self.messenger.replace_when_budget_allows(chat.address, pressed_message, reply)
                elif reply.replace and pressed_message is not None:
                    await self.messenger.replace(chat.address, pressed_message, reply)
                else:
                    await self.messenger.send(chat.address, reply)
        except RecipientUnreachable as exc:
            log.info("reply not delivered: %s", exc)
        except RetryLater as exc:
            log.warning("reply to chat %s dropped: flood limit for %.0f s", chat.address.chat_id, exc.seconds)

    async def _send_privately(self, person: Person, chat: Chat, reply: Outgoing) -> None:
        """A private reply to something said in a group goes to the person's private chat; if they
        have not started one with the bot, the group gets one short notice with a button to open it,
        at most once a day per person."""
        try:
            await self.messenger.send(Address(PLATFORM, person.user_id), reply)
        except RecipientUnreachable:
            today = self.study.clock.now().date()
            if self._told.get(person.user_id) == today:
                return
            if len(self._told) > TOLD_KEPT:
                self._told = {user: day for user, day in self._told.items() if day == today}
            self._told[person.user_id] = today
            await self.messenger.send(chat.address, Outgoing(
                f"{person.display_name}: I can only answer that in a private chat. Open it with the "
                "button, press Start, then ask again.", open_private=True))
