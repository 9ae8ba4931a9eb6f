"""Shared fixtures: a small known bank, databases (SQLite and PostgreSQL), a fixed clock, a chat."""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core import StudyBot
from bot.domain.cards import make_scheduler
from bot.domain.questions import Bank, Question
from bot.ports.clock import FixedClock
from bot.storage.engine import make_engine, upgrade
from bot.storage.store import Store
from tests.chat import Chatter
from tests.databases import empty_postgres

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday afternoon


def make_question(domain: int, n: int, answer: str = "B", topic: str = "topic") -> Question:
    return Question(
        id=f"d{domain}-{n:04d}", domain=domain, topic=topic, difficulty=1,
        stem=f"Question {n} of domain {domain}: which choice is keyed?",
        choices=(f"first {n}", f"second {n}", f"third {n}", f"fourth {n}"),
        answer=answer, explanation="The keyed choice is right because the test says so, plainly.",
        source="Test fixture",
    )


@pytest.fixture
def bank() -> Bank:
    """Three questions in every domain, each keyed B."""
    return Bank([make_question(d, n) for d in range(1, 9) for n in range(1, 4)])


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied per test: migrating once keeps the suite fast."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but TEST_POSTGRES_URL is unset: PostgreSQL tests must run in CI")
        pytest.skip("no PostgreSQL: run `make test` (starts one via scripts/with-postgres.sh) "
                    "or set TEST_POSTGRES_URL")
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "bot.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    engine = make_engine(db_url)
    await empty_postgres(engine)
    yield Store(engine)
    await engine.dispose()


@pytest.fixture
def study_bot(store: Store, bank: Bank, clock: FixedClock) -> StudyBot:
    return StudyBot(store, bank, clock, rng=random.Random(7), scheduler=make_scheduler(fuzz=False),
                    shuffle_choices=False)


@pytest.fixture
def chat(study_bot: StudyBot) -> Chatter:
    return Chatter(study_bot)
