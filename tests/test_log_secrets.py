"""No token, webhook secret or database password in the logs, at any level: through the real logging
set-up with records like those python-telegram-bot, httpx, discord.py and SQLAlchemy write, and in
whole `cmas-bot run` processes at LOG_LEVEL=DEBUG against the fake platforms on loopback."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import socket
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from app.logs import configure_logging
from app.settings import Settings
from tests.discord import fake_discord
from tests.discord.fake_discord import FakeDiscord
from tests.telegram.fake_api import FakeBotApi

TELEGRAM_TOKEN = "123456789:AAE-telegram_Secret-0123456789abcdefghi"
DISCORD_TOKEN = "MTIzNDU2Nzg5MDEy.GhIjKl.discord_Secret-0123456789abcdefghijk"
WEBHOOK_SECRET = "webhook-Secret_0123456789"
PASSWORD = "p@ss:w%rd/Secret-42"  # characters a URL must percent-encode
SECRETS = (TELEGRAM_TOKEN, DISCORD_TOKEN, WEBHOOK_SECRET, PASSWORD)
PLAIN_PASSWORD = "pw-Secret_42"  # Alembic's config cannot take a URL with %-escapes yet
CMAS_BOT = Path(sys.executable).with_name("cmas-bot")
REPO_ROOT = Path(__file__).resolve().parents[1]


def leaks(output: str, secrets: tuple[str, ...] = SECRETS) -> list[str]:
    """Each secret found in `output`, raw or percent-encoded (as it would sit in a URL)."""
    return [form for secret in secrets for form in {secret, quote(secret, safe="")} if form in output]


@pytest.fixture
def debug_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """The real set-up at DEBUG, configured from settings that hold every kind of secret."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    monkeypatch.setenv("DISCORD_BOT_TOKEN", DISCORD_TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("DATABASE_URL", f"postgresql://cmas:{quote(PASSWORD, safe='')}@db.test:5432/cmas")
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    root = logging.getLogger()
    handlers, level, showwarning = root.handlers[:], root.level, warnings.showwarning
    logging.captureWarnings(False)  # from a clean state, whatever an earlier test left
    warnings.showwarning = showwarning
    out = io.StringIO()
    configure_logging(settings.log_level, settings.secret_values(), stream=out)
    yield out
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)
    warnings.showwarning = showwarning


def test_records_from_any_logger_are_masked(debug_log: io.StringIO) -> None:
    url = f"https://api.telegram.org/bot{TELEGRAM_TOKEN}/getMe"
    logging.getLogger("telegram.ext.ExtBot").debug("Calling Bot API endpoint `%s` with parameters `%s`",
                                                   "setWebhook", {"secret_token": WEBHOOK_SECRET})
    logging.getLogger("telegram.ext").debug("POST %s", url)
    logging.getLogger("httpx").warning('HTTP Request: POST %s "HTTP/1.1 502 Bad Gateway"', url)
    logging.getLogger("httpx").debug("quoted: %s", quote(url, safe=""))
    logging.getLogger("discord.gateway").debug("Sending %r", {"op": 2, "d": {"token": DISCORD_TOKEN}})
    logging.getLogger("discord.http").info(f"Authorization: Bot {DISCORD_TOKEN}")  # no args at all
    logging.getLogger("sqlalchemy.engine").error("cannot connect to postgresql://cmas:%s@db.test/cmas",
                                                 quote(PASSWORD, safe=""))
    logging.getLogger("asyncpg").warning("password %(password)s refused", {"password": PASSWORD})
    try:
        raise ConnectionError(f"while posting to {url}")
    except ConnectionError:
        logging.getLogger("telegram.ext.Updater").exception("Error while getting Updates")
    logging.getLogger("app").debug("where from", stack_info=True)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"unclosed connector to {url}", ResourceWarning, stacklevel=1)
    output = debug_log.getvalue()
    assert leaks(output) == []
    assert "POST https://api.telegram.org/bot***/getMe" in output
    assert "{'secret_token': '***'}" in output and "Authorization: Bot ***" in output
    assert "cannot connect to postgresql://cmas:***@db.test/cmas" in output
    assert "ConnectionError: while posting to https://api.telegram.org/bot***/getMe" in output  # traceback
    assert "unclosed connector to https://api.telegram.org/bot***/getMe" in output  # the warning


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def run_bot(env: dict[str, str], until: asyncio.Future[Any], tmp_path: Path) -> str:
    """`cmas-bot run` at DEBUG until `until` is done (or a minute, on a loaded machine), then SIGTERM;
    returns its output."""
    full_env = {**{k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields},
                "LOG_LEVEL": "DEBUG", "PYTHONPATH": str(REPO_ROOT), **env}
    process = await asyncio.create_subprocess_exec(
        str(CMAS_BOT), "run", env=full_env, cwd=tmp_path, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    reading = asyncio.ensure_future(process.communicate())
    either: list[asyncio.Future[Any]] = [until, reading]
    await asyncio.wait(either, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    done, _ = await asyncio.wait([reading], timeout=30)
    if not done:
        process.kill()
    stdout, stderr = await reading
    output = (stdout + stderr).decode(errors="replace")
    assert done, f"still running 30 s after SIGTERM: {output[-3000:]}"
    assert until.done() and until.exception() is None and process.returncode == 0, output[-3000:]
    assert "DEBUG" in output
    return output


async def test_a_debug_run_on_telegram_logs_no_token_or_password(db_url: str, tmp_path: Path) -> None:
    """Long polling on SQLite and on PostgreSQL, the latter with a password in DATABASE_URL (the test
    server trusts local connections, so it is never asked for)."""
    url = make_url(db_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(password=PLAIN_PASSWORD)
    async with FakeBotApi(token=TELEGRAM_TOKEN) as api:
        alice = api.user(101, "Alice")
        api.say(alice, "/help")
        env = {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
               "DATABASE_URL": url.render_as_string(hide_password=False)}
        output = await run_bot(env, asyncio.ensure_future(api.wait("sendMessage", within=60)), tmp_path)
    assert "telegram: @CmasStudyBot is long-polling" in output
    assert "DEBUG telegram.ext.ExtBot: Calling Bot API endpoint `getUpdates`" in output
    assert leaks(output, (*SECRETS, PLAIN_PASSWORD)) == []


async def test_a_debug_run_on_a_telegram_webhook_logs_no_random_secret(tmp_path: Path,
                                                                        sqlite_template: Path) -> None:
    """No TELEGRAM_WEBHOOK_SECRET: the one made at random for the run is masked too."""
    port = free_port()
    async with FakeBotApi(token=TELEGRAM_TOKEN) as api:
        alice = api.user(101, "Alice")
        env = {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
               "TELEGRAM_WEBHOOK_URL": "https://bot.example.test/hook",
               "TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
               "DATABASE_URL": f"sqlite:///{tmp_path}/bot.sqlite3"}

        async def deliver_one() -> str:
            [hook] = await api.wait("setWebhook", within=60)
            secret = str(hook.params["secret_token"])
            update = {"update_id": 1, "message": {
                "message_id": 1, "date": 0, "chat": api.chats[101], "from": alice, "text": "/help",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}
            for _ in range(100):  # the server listens right after setWebhook
                try:
                    async with aiohttp.ClientSession() as http, http.post(
                            f"http://127.0.0.1:{port}/hook", json=update,
                            headers={"X-Telegram-Bot-Api-Secret-Token": secret}):
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            await api.wait("sendMessage", within=60)
            return secret

        delivered = asyncio.ensure_future(deliver_one())
        output = await run_bot(env, delivered, tmp_path)
    secret = delivered.result()
    assert len(secret) >= 32
    assert leaks(output, (TELEGRAM_TOKEN, secret)) == []


async def test_a_debug_run_on_discord_logs_no_token(tmp_path: Path) -> None:
    fake = FakeDiscord()
    await fake.start()
    try:
        env = {"DISCORD_BOT_TOKEN": fake_discord.TOKEN, "DISCORD_API_BASE_URL": fake.api_url,
               "DISCORD_GATEWAY_URL": fake.gateway_url, "DATABASE_URL": f"sqlite:///{tmp_path}/bot.sqlite3"}
        identified = fake.until(lambda: fake.identify is not None, within=60)
        output = await run_bot(env, asyncio.ensure_future(identified), tmp_path)
    finally:
        await fake.stop()
    assert "identify" in output.lower() or "READY" in output
    assert leaks(output, (fake_discord.TOKEN,)) == []
