from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.settings import Settings


def test_defaults_are_an_embedded_sqlite_file_and_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "DEFAULT_TIMEZONE", "TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "sqlite+aiosqlite:///cmas-bot.sqlite3"
    assert settings.default_timezone == "UTC" and settings.telegram_bot_token is None


@pytest.mark.parametrize(("given", "used"), [
    ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
    ("postgresql://u@h:5433/db", "postgresql+asyncpg://u@h:5433/db"),
    ("sqlite:////var/lib/bot.db", "sqlite+aiosqlite:////var/lib/bot.db"),
    ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
])
def test_database_urls_get_the_async_driver(given: str, used: str) -> None:
    assert Settings(database_url=given, _env_file=None).database_url == used  # type: ignore[call-arg]


@pytest.mark.parametrize(("name", "value"), [
    ("DATABASE_URL", "mysql://x"), ("DEFAULT_TIMEZONE", "Mars/Base"), ("LOG_LEVEL", "LOUD"),
])
def test_bad_configuration_is_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.lower()):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_blank_tokens_count_as_unset() -> None:
    settings = Settings(telegram_bot_token="  ", _env_file=None)  # type: ignore[call-arg]
    assert settings.telegram_bot_token is None
