"""Wiring: build the store, bank and core from settings, and run the configured front doors."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING, Protocol

from adapters.errors import PlatformUnavailable
from app.settings import Settings
from app.startup import reach_database, start_frontend
from bot.content.bank import load_bank
from bot.core import StudyBot
from bot.ports.clock import SystemClock
from bot.ports.delivery import Messenger
from bot.storage.engine import make_engine, upgrade
from bot.storage.store import Store
from ops.server import OperatorServer, database_check
from scheduler.service import PushScheduler
from scheduler.tick import Ticker

if TYPE_CHECKING:
    from adapters.discord_bot.frontend import DiscordFrontend
    from adapters.telegram import TelegramFrontend

log = logging.getLogger(__name__)


class Frontend(Protocol):
    """A running platform adapter: started and stopped by the composition root."""

    messenger: Messenger

    async def start(self) -> None: ...

    async def stop(self) -> None: ...



@asynccontextmanager
async def study_bot(settings: Settings, *, wait: bool = False) -> AsyncIterator[StudyBot]:
    """A ready core on a migrated database; the engine is disposed on exit. With `wait`, an
    unreachable database is waited for."""
    bank = load_bank(settings.content_dir)
    await reach_database(settings.database_url, wait=wait)
    await asyncio.to_thread(upgrade, settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        log.info("bank: %d questions; database: %s", len(bank), engine.url.render_as_string())
        yield StudyBot(Store(engine), bank, SystemClock(), default_timezone=settings.default_timezone)
    finally:
        await engine.dispose()


def platform_frontends(settings: Settings, bot: StudyBot) -> list[Frontend]:
    """One frontend per platform whose token is configured."""
    return [make() for make in platform_makers(settings, bot)]


def platform_makers(settings: Settings, bot: StudyBot) -> list[Callable[[], Frontend]]:
    """What builds each configured platform's frontend: one that failed to start is not started
    again, so waiting for an unreachable API builds a new one per try."""
    makers: list[Callable[[], Frontend]] = []
    if settings.telegram_bot_token:
        makers.append(partial(telegram_frontend, settings, bot))
    if settings.discord_bot_token:
        makers.append(partial(discord_frontend, settings, bot))
    return makers


def telegram_frontend(settings: Settings, bot: StudyBot) -> TelegramFrontend:
    """Imported here so that runs without a Telegram token never load python-telegram-bot."""
    from adapters.telegram import TelegramConfig, TelegramFrontend

    assert settings.telegram_bot_token
    return TelegramFrontend(bot, TelegramConfig(
        settings.telegram_bot_token, base_url=settings.telegram_api_base_url,
        webhook_url=settings.telegram_webhook_url, webhook_listen=settings.telegram_webhook_listen,
        webhook_secret=settings.telegram_webhook_secret))


def discord_frontend(settings: Settings, bot: StudyBot) -> DiscordFrontend:
    """Imported here so that runs without a Discord token never load discord.py."""
    from adapters.discord_bot.frontend import DiscordConfig, DiscordFrontend

    assert settings.discord_bot_token
    return DiscordFrontend(bot, DiscordConfig(
        settings.discord_bot_token, settings.discord_guild_id, settings.discord_api_base_url,
        settings.discord_gateway_url, settings.discord_shard_count, settings.discord_shard_ids))


async def start_operator(settings: Settings, bot: StudyBot) -> OperatorServer | None:
    """/healthz and /metrics on OPERATOR_LISTEN, when it is set."""
    if settings.operator_listen is None:
        return None
    server = OperatorServer(settings.operator_listen, database_check(bot.store))
    try:
        await server.start()
    except OSError as exc:
        host, port = settings.operator_listen
        raise PlatformUnavailable(f"OPERATOR_LISTEN: cannot listen on {host}:{port}: "
                                  f"{exc.strerror or exc}") from None
    return server


def settle_startup_memory() -> None:
    """Takes what startup built (modules, the question bank, the platform clients: about 200,000
    objects) out of the garbage collector's sight. A full collection stops the event loop while it
    walks every object it tracks: up to 98 ms with them, at most 5 ms without, over a day of pushes
    to 100,000 learners (benchmarks/day_of_pushes.py)."""
    gc.collect()
    gc.freeze()


async def serve(settings: Settings, bot: StudyBot, makers: list[Callable[[], Frontend]], *,
                wait: bool = False) -> None:
    """Runs the operator endpoints, the frontends and the push scheduler on this loop until
    SIGINT/SIGTERM, then stops them in reverse order. With `wait`, an unreachable platform API is
    waited for."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    started: list[Frontend] = []
    operator = await start_operator(settings, bot)
    try:
        for make in makers:
            frontend = await start_frontend(make, wait=wait, stop=stop)
            if frontend is None:
                return
            started.append(frontend)
        log.info("running: %s", ", ".join(f.messenger.platform for f in started))
        settle_startup_memory()
        pushes = PushScheduler(Ticker(bot, {f.messenger.platform: f.messenger for f in started}))
        pushes.start()
        try:
            await stop.wait()
        finally:
            await pushes.stop()
    finally:
        for frontend in reversed(started):
            try:
                await frontend.stop()
            except Exception:
                log.exception("error while stopping %s", frontend.messenger.platform)
        if operator is not None:
            await operator.stop()
