"""Wiring: build the store, bank and core from settings, and run the configured front doors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.settings import Settings
from bot.clock import SystemClock
from bot.content import load_bank
from bot.core import StudyBot
from bot.storage.engine import make_engine, upgrade
from bot.storage.store import Store

log = logging.getLogger(__name__)


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
