"""Wiring: build the store, bank and core from settings, and run the configured front doors."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from app.settings import Settings
from bot.clock import SystemClock
from bot.content import load_bank
from bot.core import StudyBot
from bot.delivery import Messenger
from bot.storage.engine import make_engine, upgrade
from bot.storage.store import Store
from scheduler.service import PushScheduler
from scheduler.tick import Ticker

log = logging.getLogger(__name__)


class Frontend(Protocol):
    """A running platform adapter: started and stopped by the composition root."""

    messenger: Messenger

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class PlatformUnavailable(RuntimeError):
    """A platform is configured that this build cannot start."""


@asynccontextmanager
async def study_bot(settings: Settings) -> AsyncIterator[StudyBot]:
    """A ready core on a migrated database; the engine is disposed on exit."""
    bank = load_bank(settings.content_dir)
    await asyncio.to_thread(upgrade, settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        log.info("bank: %d questions; database: %s", len(bank), engine.url.render_as_string())
        yield StudyBot(Store(engine), bank, SystemClock(), default_timezone=settings.default_timezone)
    finally:
        await engine.dispose()


def platform_frontends(settings: Settings, bot: StudyBot) -> list[Frontend]:
    """One frontend per platform whose token is configured."""
    frontends: list[Frontend] = []
    for name, token in (("Telegram", settings.telegram_bot_token),
                        ("Discord", settings.discord_bot_token)):
        if token:
            raise PlatformUnavailable(f"{name} is configured, but this build has no {name} adapter "
                                      "yet; unset its token to use the console chat.")
    return frontends


async def serve(settings: Settings, bot: StudyBot, frontends: list[Frontend]) -> None:
    """Runs the frontends and the push scheduler on this loop until SIGINT/SIGTERM, then stops
    them in reverse order."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    started: list[Frontend] = []
    try:
        for frontend in frontends:
            await frontend.start()
            started.append(frontend)
        log.info("running: %s", ", ".join(f.messenger.platform for f in started))
        pushes = PushScheduler(Ticker(bot, {f.messenger.platform: f.messenger for f in started}))
        pushes.start()
        try:
            await stop.wait()
        finally:
            pushes.stop()
    finally:
        for frontend in reversed(started):
            try:
                await frontend.stop()
            except Exception:
                log.exception("error while stopping %s", frontend.messenger.platform)
