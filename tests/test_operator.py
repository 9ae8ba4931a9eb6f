"""The operator port: /healthz says whether the database answers and the event loop is responsive;
/metrics serves the bot's Prometheus series."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from pydantic import ValidationError

from app.runtime import start_operator
from app.settings import Settings
from bot.core import StudyBot
from bot.events import Address, Chat, Command, Person
from ops import metrics
from ops.server import OperatorServer, database_check
from scheduler.tick import Ticker

ALICE = Person("telegram", "101", "Alice")


async def get(server: OperatorServer, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{server.port}{path}") as response:
        return response.status, await response.text()


@pytest.fixture
async def operator(study_bot: StudyBot) -> AsyncIterator[OperatorServer]:
    settings = Settings(_env_file=None, operator_listen=("127.0.0.1", 0))  # type: ignore[call-arg]
    server = await start_operator(settings, study_bot)
    assert server is not None
    yield server
    await server.stop()


async def test_healthz_is_ok_while_the_database_answers_and_the_loop_runs(operator: OperatorServer) -> None:
    status, body = await get(operator, "/healthz")
    assert status == 200 and '"ok": true' in body


async def test_healthz_fails_on_a_blocked_loop(operator: OperatorServer,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(operator, "_last_beat", operator._last_beat - 5)  # no beat for 5 s
    status, body = await get(operator, "/healthz")
    assert status == 503 and "event loop" in body


async def test_healthz_fails_when_the_database_does_not_answer() -> None:
    async def unreachable() -> None:
        raise ConnectionRefusedError("db:5432")

    server = OperatorServer(("127.0.0.1", 0), unreachable)
    await server.start()
    try:
        status, body = await get(server, "/healthz")
    finally:
        await server.stop()
    assert status == 503 and "database unreachable (ConnectionRefusedError)" in body
    assert "5432" not in body


async def test_the_database_check_reads_through_the_store(study_bot: StudyBot) -> None:
    await database_check(study_bot.store)()


async def test_metrics_count_updates_pushes_ticks_and_waits(operator: OperatorServer,
                                                             study_bot: StudyBot) -> None:
    chat = Chat(Address("telegram", "101"), is_group=False)
    await metrics.handle(study_bot, Command(ALICE, chat, "help"))
    await metrics.handle(study_bot, Command(ALICE, chat, "goal", ("99",)))
    await Ticker(study_bot, {}).tick()
    metrics.rate_limited("telegram", 3.0)
    status, body = await get(operator, "/metrics")
    assert status == 200
    for series in ('cmas_updates_handled_total{kind="command",outcome="applied",platform="telegram"}',
                   'cmas_updates_handled_total{kind="command",outcome="rejected",platform="telegram"}',
                   'cmas_update_handling_seconds_bucket{kind="command",le="0.5",platform="telegram"}',
                   'cmas_pushes_total{outcome="sent"}', "cmas_tick_seconds_count",
                   'cmas_rate_limit_waits_total{platform="telegram"}',
                   'cmas_rate_limit_wait_seconds_total{platform="telegram"}',
                   "cmas_event_loop_lag_seconds", "process_resident_memory_bytes"):
        assert series in body, series


def test_operator_listen_is_host_and_port_or_off(monkeypatch: pytest.MonkeyPatch) -> None:
    for given, parsed in (("0.0.0.0:9100", ("0.0.0.0", 9100)), (" ", None)):
        monkeypatch.setenv("OPERATOR_LISTEN", given)
        assert Settings(_env_file=None).operator_listen == parsed  # type: ignore[call-arg]
    monkeypatch.setenv("OPERATOR_LISTEN", "9100")
    with pytest.raises(ValidationError, match="operator_listen"):
        Settings(_env_file=None)  # type: ignore[call-arg]
