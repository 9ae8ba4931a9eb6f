"""Fixtures: a fake Discord on loopback and the real adapter (discord.py client) pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import discord
import pytest

from adapters.discord_bot.frontend import DiscordConfig, DiscordFrontend
from bot.core import StudyBot
from tests.discord.fake_discord import TOKEN, FakeDiscord

StartBot = Callable[..., Awaitable[DiscordFrontend]]


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    # The adapter points discord.py's class-level URLs at the fake; restore them afterwards.
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()
    assert server.unhandled == []
    for exchange in server.exchanges.values():  # every interaction acknowledged, within 3 seconds
        assert exchange.answered_after is not None and exchange.answered_after < 3.0, exchange


@pytest.fixture
async def start_bot(fake: FakeDiscord, study_bot: StudyBot) -> AsyncIterator[StartBot]:
    """Starts the Discord frontend (again, for a restart); every one started is stopped at the end."""
    running: list[DiscordFrontend] = []

    async def start(bot: StudyBot = study_bot, token: str = TOKEN, guild_id: int | None = None,
                    **shards: Any) -> DiscordFrontend:
        config = DiscordConfig(token, guild_id, fake.api_url, fake.gateway_url, **shards)
        frontend = DiscordFrontend(bot, config, reveal_every=0.05, count_edit_every=0.0)
        await frontend.start()
        running.append(frontend)
        await fake.connected()
        return frontend

    yield start
    for frontend in reversed(running):
        await frontend.stop()
