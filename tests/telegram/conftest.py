"""The Telegram adapter under test: the real PTB stack over HTTP against a fake Bot API on loopback."""

from __future__ import annotations

import dataclasses
import random
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from adapters.telegram import TelegramConfig, TelegramFrontend
from bot.core import StudyBot
from bot.domain.cards import make_scheduler
from bot.domain.questions import Bank
from bot.ports.clock import FixedClock
from bot.storage.engine import make_engine
from bot.storage.store import Store
from tests.telegram.fake_api import FakeBotApi, Json


def config_for(api: FakeBotApi, **changes: Any) -> TelegramConfig:
    """Fast settings for tests: short polls and reveal ticks, no 20-per-minute group pacing."""
    config = TelegramConfig(token=api.token, base_url=api.base_url, poll_timeout=1.0,
                            group_messages_per_minute=0, flood_retries=1, network_backoff=0.01,
                            reveal_every=0.05, count_edit_every=0.0)
    return dataclasses.replace(config, **changes)


def make_core(store: Store, bank: Bank, clock: FixedClock) -> StudyBot:
    return StudyBot(store, bank, clock, rng=random.Random(7), scheduler=make_scheduler(fuzz=False),
                    shuffle_choices=False)


@asynccontextmanager
async def running(study: StudyBot, api: FakeBotApi, **changes: Any) -> AsyncIterator[TelegramFrontend]:
    frontend = TelegramFrontend(study, config_for(api, **changes))
    await frontend.start()
    try:
        yield frontend
    finally:
        await frontend.stop()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def sqlite_store(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Store]:
    """Most adapter tests need one database, not both: the core's tests cover PostgreSQL."""
    path = tmp_path / "telegram.sqlite3"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    yield Store(engine)
    await engine.dispose()


@pytest.fixture
def core(sqlite_store: Store, bank: Bank, clock: FixedClock) -> StudyBot:
    return make_core(sqlite_store, bank, clock)


@pytest.fixture
async def telegram(core: StudyBot, api: FakeBotApi) -> AsyncIterator[TelegramFrontend]:
    async with running(core, api) as frontend:
        yield frontend


@pytest.fixture
def alice(api: FakeBotApi) -> Json:
    return api.user(101, "Alice")


@pytest.fixture
def bob(api: FakeBotApi) -> Json:
    return api.user(102, "Bob")
