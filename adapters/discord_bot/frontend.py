"""The Discord client's lifecycle on the shared asyncio loop: log in, sync commands if they changed,
connect to the gateway as a task, reveal group rounds when their time is up, close on stop.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
import discord
import yarl

from adapters.count_edits import EDIT_EVERY, CountEdits, always_room
from adapters.discord_bot.client import ShardedStudyClient, StudyClient
from adapters.discord_bot.commands import sync_commands
from adapters.discord_bot.interactions import Interactions
from adapters.discord_bot.messenger import DiscordMessenger
from adapters.discord_bot.state import AdapterState
from adapters.errors import PlatformUnavailable, PlatformUnreachable
from adapters.round_reveals import reveal_rounds_forever
from bot.core import StudyBot
from bot.ports.delivery import Messenger

log = logging.getLogger(__name__)

REVEAL_EVERY = 2.0  # seconds between looks for group rounds whose time is up
CONNECT_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    token: str
    guild_id: int | None = None  # sync commands to this server only (instant, for development)
    api_base_url: str | None = None  # e.g. http://127.0.0.1:8080/api/v10, a rate-limit proxy
    gateway_url: str | None = None
    shard_count: int | None = None  # set: run sharded, this process taking `shard_ids` (or all)
    shard_ids: tuple[int, ...] = ()


class DiscordUnavailable(PlatformUnavailable):
    """Discord refused to start the bot (bad token, gateway closed the connection): `cmas-bot run`
    prints this one line and exits 2."""


def route_traffic(config: DiscordConfig) -> None:
    """Sends REST and gateway traffic to a Discord-compatible proxy. discord.py keeps both URLs on
    classes, so this applies to the whole process; unset, its defaults stay."""
    if config.api_base_url:
        discord.http.Route.BASE = config.api_base_url
    if config.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)


class DiscordFrontend:
    def __init__(self, bot: StudyBot, config: DiscordConfig, *, reveal_every: float = REVEAL_EVERY,
                 count_edit_every: float = EDIT_EVERY) -> None:
        route_traffic(config)
        self.bot, self.config, self.reveal_every = bot, config, reveal_every
        self.state = AdapterState(bot)
        counts = CountEdits(always_room, count_edit_every)
        interactions = Interactions(bot, self.state, counts)
        self.client = (ShardedStudyClient(interactions, config.shard_count, list(config.shard_ids) or None)
                       if config.shard_count else StudyClient(interactions))
        self.messenger: Messenger = DiscordMessenger(self.client, bot, self.state, counts)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Logs in, syncs commands if they changed, and returns once the gateway session is up
        (interactions flow from then on; discord.py's "ready" waits a further 2 s for guilds)."""
        await self._login()
        try:
            await sync_commands(self.client.tree, self.state, self.config.guild_id)
        except (discord.HTTPException, discord.RateLimited):
            log.exception("slash command sync failed; the commands synced before stay in use")
        gateway = asyncio.create_task(self.client.connect(), name="discord-gateway")
        gateway.add_done_callback(_report_gateway_end)
        connected = asyncio.create_task(self.client.connected.wait())
        self._tasks = [gateway, asyncio.create_task(
            reveal_rounds_forever(self.bot, self.messenger, self.reveal_every), name="discord-reveals")]
        await asyncio.wait({gateway, connected}, timeout=CONNECT_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        connected.cancel()
        if gateway.done():
            await self.stop()
            raise DiscordUnavailable(f"Discord gateway refused the connection: {gateway.exception()}")
        if not self.client.connected.is_set():
            log.warning("Discord gateway not connected after %.0f s; still trying", CONNECT_TIMEOUT)

    async def sync(self) -> bool:
        """`cmas-bot discord-sync`: upload the commands now, whatever was synced before."""
        await self._login()
        try:
            return await sync_commands(self.client.tree, self.state, self.config.guild_id, force=True)
        finally:
            await self.client.close()

    async def stop(self) -> None:
        for task in self._tasks[1:]:
            task.cancel()
        await self.client.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _login(self) -> None:
        try:
            await self.client.login(self.config.token)
        except discord.LoginFailure:
            await self.client.close()
            raise DiscordUnavailable("Discord refused DISCORD_BOT_TOKEN: check the token") from None
        except (OSError, TimeoutError, aiohttp.ClientError, discord.DiscordServerError) as exc:
            await self.client.close()
            host = urlsplit(discord.http.Route.BASE).netloc
            reason = str(exc) or type(exc).__name__
            raise PlatformUnreachable(f"Discord API at {host} is unreachable: {reason}") from None


def _report_gateway_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.critical("Discord gateway stopped: %r", task.exception())
