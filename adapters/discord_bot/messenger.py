"""Pushes and round reveals: the core's Messenger port on Discord.

A private address is a user id: the bot opens (or reuses) the DM channel and posts there. A server
address (`guild:<id>`) posts to `thread_id` when given, else to the channel of the server's last
round (kept in the database, so any instance or shard finds it), else to the server's system channel.
discord.py waits out ordinary rate limits itself; a wait longer than the client's limit, or Discord
failing, becomes RetryLater.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import discord

from adapters.count_edits import CountEdits
from adapters.discord_bot.chats import PLATFORM, guild_id_of, manages_server
from adapters.discord_bot.render import pages
from adapters.discord_bot.state import AdapterState
from bot.core import StudyBot
from bot.events import Address
from bot.outgoing import Outgoing
from bot.ports.delivery import RecipientUnreachable, RetryLater
from ops import metrics

log = logging.getLogger(__name__)

CANNOT_MESSAGE_USER = 50007  # DMs closed, bot blocked, or no server shared
SERVER_ERROR_RETRY_SECONDS = 30.0


class DiscordMessenger:
    platform = PLATFORM

    def __init__(self, client: discord.Client, bot: StudyBot, state: AdapterState,
                 counts: CountEdits) -> None:
        self.client, self.bot, self.state, self._counts = client, bot, state, counts

    async def send(self, address: Address, message: Outgoing) -> None:
        guild_id = guild_id_of(address)
        self._counts.posted(address.chat_id)
        with _retry_later():
            try:
                if guild_id is None:
                    target: discord.abc.Messageable = await self._direct(address)
                else:
                    target = await self._channel(guild_id, address)
                for page in pages(message):
                    await target.send(**page.send_kwargs())
            except discord.Forbidden as exc:
                if guild_id is None and exc.code == CANNOT_MESSAGE_USER:
                    await self.bot.mark_unreachable(PLATFORM, address.chat_id)
                raise RecipientUnreachable(f"{address.chat_id}: {exc.text or exc.status}") from exc
            except discord.NotFound as exc:
                raise RecipientUnreachable(f"{address.chat_id}: {exc.text or exc.status}") from exc

    async def administers(self, group: Address, user_id: str) -> bool:
        """The member's server-wide permissions, fetched now (members are not cached: no privileged
        intent); the server too when another shard holds it. Not a member, or a server the bot has
        left, means no."""
        guild_id = guild_id_of(group)
        if guild_id is None or not user_id.isdigit():
            return False
        with _retry_later():
            try:
                guild = self.client.get_guild(guild_id) or await self.client.fetch_guild(guild_id)
                member = await guild.fetch_member(int(user_id))
            except (discord.NotFound, discord.Forbidden) as exc:
                log.info("member %s of server %s not found: %s", user_id, guild_id, exc.text or exc.status)
                return False
        return manages_server(member.guild_permissions)

    async def _direct(self, address: Address) -> discord.DMChannel:
        if not address.chat_id.isdigit():
            raise RecipientUnreachable(f"{address.chat_id!r} is no Discord user id")
        return await self.client.create_dm(discord.Object(int(address.chat_id)))

    async def _channel(self, guild_id: int, address: Address) -> discord.PartialMessageable:
        if address.thread_id is not None and address.thread_id.isdigit():
            return self.client.get_partial_messageable(int(address.thread_id), guild_id=guild_id)
        channel_id = await self.state.round_channel(guild_id)
        if channel_id is None:
            guild = self.client.get_guild(guild_id)
            system = guild.system_channel if guild is not None else None
            if system is None:
                raise RecipientUnreachable(f"no channel known for server {guild_id}: run /quiz there")
            channel_id = system.id
        return self.client.get_partial_messageable(channel_id, guild_id=guild_id)


@contextmanager
def _retry_later() -> Iterator[None]:
    """A rate limit longer than discord.py waits out itself, or Discord failing: RetryLater."""
    try:
        yield
    except discord.RateLimited as exc:
        metrics.rate_limited(PLATFORM, exc.retry_after)
        raise RetryLater(exc.retry_after) from exc
    except discord.DiscordServerError as exc:
        raise RetryLater(SERVER_ERROR_RETRY_SECONDS) from exc
