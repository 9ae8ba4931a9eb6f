"""Slash commands and button presses -> core events -> Discord replies.

Each interaction is acknowledged first (a deferral, well inside Discord's 3 seconds whatever the
database does), then the core is asked, then its replies are delivered: `replace` edits the message
whose button was pressed, `private` goes to the presser alone as an ephemeral follow-up. Any failure
ends in a short apology to the user ("please try again"), never in "This interaction failed". Each
event carries the interaction's id, so a gateway replay of it changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from adapters.count_edits import CountEdits
from adapters.discord_bot.chats import command_chat, guild_id_of, manages_server, person, press_chat
from adapters.discord_bot.render import Page, pages, single_page
from adapters.discord_bot.state import AdapterState
from bot.core import ADMIN_COMMANDS, APOLOGY, StudyBot
from bot.events import ButtonPressed, Chat, Command
from bot.outgoing import Outgoing
from ops import metrics

log = logging.getLogger(__name__)

STALE_BUTTON = "That button is no longer valid. Send /help to carry on."

Interaction = discord.Interaction[Any]


class Interactions:
    def __init__(self, bot: StudyBot, state: AdapterState, counts: CountEdits) -> None:
        self.bot, self.state, self._counts = bot, state, counts

    async def command(self, interaction: Interaction, name: str, args: tuple[str, ...]) -> None:
        """A slash command: personal ones used in a server answer ephemerally."""
        chat = command_chat(interaction, name)
        ephemeral = not chat.is_group and interaction.guild_id is not None
        delivered = 0
        try:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
            is_admin = name in ADMIN_COMMANDS and manages_server(interaction.permissions)
            event = Command(person(interaction.user), chat, name, args, is_admin,
                            update_id=str(interaction.id))
            replies = (await metrics.handle(self.bot, event)).replies
            await self._remember_round(interaction, chat, replies)  # before anyone can see the question
            for reply in replies:
                for page in pages(reply):
                    if delivered == 0:  # the first page replaces the "thinking..." placeholder
                        await interaction.edit_original_response(**page.edit_kwargs())
                    else:
                        await interaction.followup.send(**page.send_kwargs(),
                                                         ephemeral=ephemeral or reply.private)
                    delivered += 1
        except Exception:
            log.exception("/%s from %s failed", name, interaction.user.id)
            await self.refuse(interaction, APOLOGY, edit_placeholder=delivered == 0)

    async def press(self, interaction: Interaction, payload: str) -> None:
        """A button press: acknowledged silently, then edits and ephemeral follow-ups. A group
        question's running count is an edit planned with the channel's budget (CountEdits). The press
        is stamped when its gateway event arrives: Discord's own creation time is on Discord's clock,
        and a few hundred milliseconds of skew would decide presses at a round's deadline."""
        made_at = self.bot.clock.now()
        chat = press_chat(interaction)
        ephemeral = not chat.is_group and interaction.guild_id is not None
        try:
            await interaction.response.defer()
            event = ButtonPressed(person(interaction.user), chat, payload, update_id=str(interaction.id),
                                  made_at=made_at)
            replies = (await metrics.handle(self.bot, event)).replies
            for reply in replies:
                if reply.replace and reply.skippable and interaction.message is not None:
                    self._counts.submit(chat.address.chat_id, interaction.message.id,
                                        _edit_later(interaction, reply))
                    continue
                if reply.replace:
                    await interaction.edit_original_response(**single_page(reply).edit_kwargs())
                    continue
                for page in pages(reply):
                    await interaction.followup.send(**page.send_kwargs(),
                                                    ephemeral=ephemeral or reply.private)
            await self._remember_round(interaction, chat, replies)
        except Exception:
            log.exception("button %r from %s failed", payload, interaction.user.id)
            await self.refuse(interaction, APOLOGY)

    async def refuse(self, interaction: Interaction, text: str, *, edit_placeholder: bool = False) -> None:
        """Tells the user, privately, that this interaction could not be done."""
        try:
            if not interaction.response.is_done():
                await interaction.response.send_message(text, ephemeral=True)
            elif edit_placeholder:
                await interaction.edit_original_response(**Page(text).edit_kwargs())
            else:
                await interaction.followup.send(text, ephemeral=True)
        except discord.HTTPException as exc:
            log.warning("could not answer interaction %s: %s", interaction.id, exc)

    async def _remember_round(self, interaction: Interaction, chat: Chat, replies: list[Outgoing]) -> None:
        """A question posted for a server's group: its reveal will go to this channel."""
        guild_id = guild_id_of(chat.address)
        if guild_id is None or interaction.channel_id is None:
            return
        if any(r.choices and not (r.private or r.replace) for r in replies):
            await self.state.set_round_channel(guild_id, interaction.channel_id)


def _edit_later(interaction: Interaction, reply: Outgoing) -> Callable[[], Awaitable[None]]:
    async def edit() -> None:
        await interaction.edit_original_response(**single_page(reply).edit_kwargs())
    return edit

