"""Start-up failures as an operator meets them, through the real CLI: each bad setting is one line
naming it and exit 2; an unreachable database or platform API is one line naming its host, never a
password or token, and exit 1; with `--wait` both are retried with backoff instead."""

from __future__ import annotations

import asyncio
import logging
import socket
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from adapters.errors import PlatformUnreachable
from app import startup
from app.cli import cli
from app.settings import Settings
from app.startup import DatabaseUnreachable, reach_database, start_frontend
from bot.ports.delivery import Messenger

PASSWORD = "hunter2-pw"
TELEGRAM_TOKEN = "4242:AAE-telegram-secret"
DISCORD_TOKEN = "MTIzNDU2.GhIjKl.discord-secret"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No setting from the outer environment or a `.env`; the real logging set-up is undone after."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/bot.sqlite3")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    root = logging.getLogger()
    handlers, level, showwarning = root.handlers[:], root.level, warnings.showwarning
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)
    warnings.showwarning = showwarning


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: nothing listens there


def lines(result: Result) -> list[str]:
    return result.stderr.splitlines()


@pytest.mark.parametrize(("name", "value"), [
    ("DATABASE_URL", f"postgresql://bob:{PASSWORD}@db.example.test:port/cmas"),  # malformed
    ("DATABASE_URL", f"mysql://bob:{PASSWORD}@db.example.test/cmas"),  # unknown scheme
    ("DATABASE_URL", "cmas-bot.sqlite3"),  # no scheme at all
    ("TELEGRAM_BOT_TOKEN", f"Bot {TELEGRAM_TOKEN}"),
    ("TELEGRAM_BOT_TOKEN", "AAE-telegram-secret"),  # the bot id and colon left out
    ("DISCORD_BOT_TOKEN", f'"{DISCORD_TOKEN}"'),
    ("DEFAULT_TIMEZONE", "Mars/Olympus_Mons"),
    ("LOG_LEVEL", "LOUD"),
    ("TELEGRAM_WEBHOOK_URL", "http://bot.example.test/hook"),
    ("TELEGRAM_WEBHOOK_LISTEN", "8443"),
    ("DISCORD_GUILD_ID", "my-server"),
])
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(monkeypatch: pytest.MonkeyPatch, name: str,
                                                        value: str) -> None:
    monkeypatch.setenv(name, value)
    result = invoke("run")
    assert result.exit_code == 2
    [line] = lines(result)
    assert line.startswith(f"configuration: {name}: ")
    for secret in (PASSWORD, "telegram-secret", "discord-secret"):
        assert secret not in line


def test_an_unwritable_sqlite_path_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/a-file/bot.sqlite3")
    result = invoke("db", "upgrade")
    assert result.exit_code == 2
    [line] = lines(result)
    assert line == (f"configuration: DATABASE_URL: {tmp_path}/a-file is a file, so "
                    f"{tmp_path}/a-file/bot.sqlite3 cannot be made")


def test_a_missing_sqlite_folder_is_made(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/data/db/bot.sqlite3")
    assert invoke("db", "upgrade").exit_code == 0
    assert (tmp_path / "data" / "db" / "bot.sqlite3").is_file()


def test_an_empty_question_folder_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    monkeypatch.setenv("CONTENT_DIR", str(tmp_path))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    result = invoke("run")
    assert result.exit_code == 2
    assert lines(result) == [f"CONTENT_DIR: no questions found in {tmp_path}"]


def test_every_bad_setting_gets_its_own_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Nowhere")
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "Bot xyz")
    result = invoke("run")
    assert result.exit_code == 2
    assert [line.split(":")[1].strip() for line in lines(result)] == ["DISCORD_BOT_TOKEN", "DEFAULT_TIMEZONE"]


@pytest.mark.parametrize("command", [("run",), ("db", "upgrade")])
def test_an_unreachable_postgresql_is_one_line_naming_the_host_and_exit_1(
        monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]) -> None:
    port = closed_port()
    monkeypatch.setenv("DATABASE_URL", f"postgresql://cmas:{PASSWORD}@127.0.0.1:{port}/cmas")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    result = invoke(*command)
    assert result.exit_code == 1
    assert lines(result) == [f"database at 127.0.0.1:{port} is unreachable: connection refused"]
    assert PASSWORD not in result.output + result.stderr


def test_an_unreachable_bot_api_is_one_line_naming_the_host_and_exit_1(
        monkeypatch: pytest.MonkeyPatch) -> None:
    base_url = f"http://127.0.0.1:{closed_port()}/bot"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", base_url)
    result = invoke("run")
    assert result.exit_code == 1
    [line] = lines(result)  # at LOG_LEVEL=WARNING the retries before it are not shown
    assert line.startswith(f"Telegram: cannot reach the Bot API at {base_url}: ")
    assert "telegram-secret" not in result.stderr and "Traceback" not in result.stderr


def test_an_unreachable_discord_api_is_one_line_naming_the_host_and_exit_1(
        monkeypatch: pytest.MonkeyPatch) -> None:
    port = closed_port()
    monkeypatch.setenv("DISCORD_BOT_TOKEN", DISCORD_TOKEN)
    monkeypatch.setenv("DISCORD_API_BASE_URL", f"http://127.0.0.1:{port}/api/v10")
    monkeypatch.setenv("LOG_LEVEL", "ERROR")  # discord.py warns that voice is not installed
    result = invoke("run")
    assert result.exit_code == 1
    assert len(lines(result)) == 1, result.stderr
    [line] = lines(result)
    assert line.startswith(f"Discord API at 127.0.0.1:{port} is unreachable: ")
    assert "discord-secret" not in result.stderr


def test_a_fault_is_one_line_below_debug_and_a_traceback_at_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(f"something broke near {TELEGRAM_TOKEN}")

    monkeypatch.setattr("app.cli.reach_database", broken)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    result = invoke("db", "upgrade")
    assert result.exit_code == 1
    assert lines(result) == ["cmas-bot stopped by RuntimeError: something broke near *** "
                             "(LOG_LEVEL=DEBUG logs the traceback)"]
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    result = invoke("db", "upgrade")
    assert "Traceback" in result.stderr and "telegram-secret" not in result.stderr


@pytest.fixture
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startup, "backoff", lambda: iter([0.05] * 1000))


async def test_wait_retries_an_unreachable_database_until_it_answers(
        postgres_url: str, quick_backoff: None, caplog: pytest.LogCaptureFixture) -> None:
    """A forwarder to the test PostgreSQL that starts listening only after a while, as a database
    container does after its neighbours have started."""
    real = make_url(postgres_url)
    port = closed_port()

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(real.host, real.port)

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    async def open_later() -> asyncio.Server:
        await asyncio.sleep(0.3)
        return await asyncio.start_server(forward, "127.0.0.1", port)

    opening = asyncio.create_task(open_later())
    late_url = real.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    with pytest.raises(DatabaseUnreachable, match=f"127.0.0.1:{port} is unreachable: connection refused"):
        await reach_database(late_url)
    caplog.set_level(logging.WARNING, logger="app.startup")
    await asyncio.wait_for(reach_database(late_url, wait=True), timeout=10)
    server = await opening
    server.close()
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert retries and all(f"127.0.0.1:{port}" in r for r in retries)


class FlakyFrontend:
    """A frontend whose platform answers only from the third try."""

    made = 0
    messenger: Messenger

    def __init__(self) -> None:
        FlakyFrontend.made += 1
        self.try_number = FlakyFrontend.made

    async def start(self) -> None:
        if self.try_number < 3:
            raise PlatformUnreachable("Example API at api.example.test is unreachable: timed out")

    async def stop(self) -> None:
        pass


async def test_wait_retries_an_unreachable_platform_with_a_new_frontend_per_try(quick_backoff: None) -> None:
    FlakyFrontend.made = 0
    with pytest.raises(PlatformUnreachable):
        await start_frontend(FlakyFrontend, wait=False, stop=asyncio.Event())
    FlakyFrontend.made = 0
    started = await start_frontend(FlakyFrontend, wait=True, stop=asyncio.Event())
    assert isinstance(started, FlakyFrontend) and started.try_number == 3
    stop = asyncio.Event()
    stop.set()
    FlakyFrontend.made = 0
    assert await start_frontend(FlakyFrontend, wait=True, stop=stop) is None  # SIGTERM while waiting
