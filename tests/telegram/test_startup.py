"""Start-up: `cmas-bot run` wiring, configuration, webhook mode, and the command menu's coverage."""

from __future__ import annotations

import dataclasses
import logging
import socket
from typing import Any

import aiohttp
import pytest
from pydantic import ValidationError

from adapters.errors import PlatformUnavailable
from adapters.telegram import TelegramConfig, TelegramFrontend, menu
from app.runtime import platform_frontends
from app.settings import Settings
from bot.core import StudyBot
from tests.telegram.conftest import config_for, running
from tests.telegram.fake_api import FakeBotApi, Json


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def test_run_starts_telegram_when_its_token_is_set(core: StudyBot, api: FakeBotApi, alice: Json,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    settings = _settings(telegram_bot_token=api.token, telegram_api_base_url=api.base_url)
    [frontend] = platform_frontends(settings, core)
    assert isinstance(frontend, TelegramFrontend) and frontend.messenger.platform == "telegram"
    caplog.set_level(logging.DEBUG, logger="adapters")
    caplog.set_level(logging.INFO)
    await frontend.start()
    try:
        api.say(alice, "/help")
        [reply] = await api.wait("sendMessage")
        assert "telegram: @CmasStudyBot is long-polling" in caplog.text
        assert api.token not in caplog.text  # httpx would log each URL, token included
        assert reply.text.startswith("Commands:")
        assert [c.method for c in api.calls[:4]] == ["getMe", "setMyCommands", "setMyCommands",
                                                     "deleteWebhook"]
    finally:
        await frontend.stop()


def test_webhook_settings_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_LISTEN", "0.0.0.0:8080")
    settings = _settings(telegram_webhook_url=" https://bot.example.test/tg/hook ")
    assert settings.telegram_webhook_listen == ("0.0.0.0", 8080)
    assert settings.telegram_webhook_url == "https://bot.example.test/tg/hook"
    assert _settings(telegram_webhook_url=" ").telegram_webhook_url is None
    for name, value in (("telegram_webhook_url", "http://bot.example.test/hook"),
                        ("telegram_webhook_listen", "8443"), ("telegram_webhook_listen", "host:99999"),
                        ("telegram_webhook_secret", "no spaces allowed")):
        with pytest.raises(ValidationError, match=name):
            _settings(**{name: value})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_webhook_mode_accepts_only_updates_with_the_secret(core: StudyBot, api: FakeBotApi,
                                                                 alice: Json) -> None:
    port = _free_port()
    async with running(core, api, webhook_url="https://bot.example.test/tg/hook",
                       webhook_listen=("127.0.0.1", port), webhook_secret="s3cret-token"):
        [hook] = api.made("setWebhook")
        assert hook.params["url"] == "https://bot.example.test/tg/hook"
        assert hook.params["secret_token"] == "s3cret-token"
        assert hook.params["allowed_updates"] == ["message", "callback_query"]
        update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": api.chats[101],
                                              "from": alice, "text": "/help",
                                              "entities": [{"type": "bot_command", "offset": 0,
                                                            "length": 5}]}}
        async with aiohttp.ClientSession() as http:
            for secret, status in (("forged", 403), ("s3cret-token", 200)):
                async with http.post(f"http://127.0.0.1:{port}/tg/hook", json=update,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": secret}) as response:
                    assert response.status == status
        [reply] = await api.wait("sendMessage")
        assert reply.text.startswith("Commands:")
        await api.quiet()
        assert len(api.made("sendMessage")) == 1 and api.made("deleteWebhook") == []


def test_every_command_the_core_answers_is_in_a_menu(core: StudyBot) -> None:
    commands = set(core._commands)
    assert commands == menu.KNOWN
    assert {name for name, _ in menu.GROUP} <= commands
    assert all(len(description) <= 256 for _, description in menu.PRIVATE + menu.GROUP)


async def test_a_refused_token_stops_start_up_with_one_line(core: StudyBot, api: FakeBotApi) -> None:
    frontend = TelegramFrontend(core, dataclasses.replace(config_for(api), token="4242:revoked"))
    with pytest.raises(PlatformUnavailable, match="rejected TELEGRAM_BOT_TOKEN") as refused:
        await frontend.start()
    assert "revoked" in str(refused.value) and "4242:revoked" not in str(refused.value)
    await frontend.stop()  # nothing left running; stopping again is harmless
    assert [c.method for c in api.calls] == ["getMe"]


async def test_an_unreachable_bot_api_stops_start_up_with_one_line(core: StudyBot) -> None:
    base_url = f"http://127.0.0.1:{_free_port()}/bot"  # nothing listens there
    frontend = TelegramFrontend(core, TelegramConfig("4242:token", base_url=base_url, network_retries=0))
    with pytest.raises(PlatformUnavailable, match=f"cannot reach the Bot API at {base_url}"):
        await frontend.start()
