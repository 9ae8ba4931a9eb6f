"""Discord settings: proxy URLs checked at start-up, blanks meaning unset; and their wiring."""

from __future__ import annotations

import discord
import pytest
from pydantic import ValidationError

from adapters.discord_bot.frontend import DiscordFrontend
from app.runtime import platform_frontends
from app.settings import Settings
from bot.core import StudyBot


@pytest.mark.parametrize(("name", "value"), [
    ("DISCORD_API_BASE_URL", "ws://127.0.0.1:8080/api/v10"), ("DISCORD_GATEWAY_URL", "http://127.0.0.1"),
    ("DISCORD_GUILD_ID", "my-server"),
])
def test_bad_discord_settings_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.lower()):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_blank_discord_settings_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISCORD_GUILD_ID", "DISCORD_API_BASE_URL", "DISCORD_GATEWAY_URL"):
        monkeypatch.setenv(name, " ")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.discord_guild_id, settings.discord_api_base_url, settings.discord_gateway_url) == (
        None, None, None)
    assert Settings(discord_api_base_url="https://proxy:8080/api/v10/",  # type: ignore[call-arg]
                    _env_file=None).discord_api_base_url == "https://proxy:8080/api/v10"


def test_a_discord_token_starts_the_discord_frontend(monkeypatch: pytest.MonkeyPatch,
                                                    study_bot: StudyBot) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    settings = Settings(discord_bot_token="t", _env_file=None)  # type: ignore[call-arg]
    [frontend] = platform_frontends(settings, study_bot)
    assert isinstance(frontend, DiscordFrontend) and frontend.messenger.platform == "discord"
    assert not isinstance(frontend.client, discord.AutoShardedClient)


def test_shard_settings_make_a_sharded_client(monkeypatch: pytest.MonkeyPatch, study_bot: StudyBot) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "4")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "3, 1")
    settings = Settings(discord_bot_token="t", _env_file=None)  # type: ignore[call-arg]
    assert (settings.discord_shard_count, settings.discord_shard_ids) == (4, (1, 3))
    [frontend] = platform_frontends(settings, study_bot)
    assert isinstance(frontend, DiscordFrontend) and isinstance(frontend.client, discord.AutoShardedClient)
    assert (frontend.client.shard_count, frontend.client.shard_ids) == (4, [1, 3])


@pytest.mark.parametrize(("count", "ids"), [("", "0"), ("2", "2"), ("2", "one"), ("0", "")])
def test_bad_shard_settings_are_refused(monkeypatch: pytest.MonkeyPatch, count: str, ids: str) -> None:
    monkeypatch.setenv("DISCORD_SHARD_COUNT", count)
    monkeypatch.setenv("DISCORD_SHARD_IDS", ids)
    with pytest.raises(ValidationError, match="discord_shard"):
        Settings(_env_file=None)  # type: ignore[call-arg]
