"""The aiohttp transport under PTB (adapters/telegram/transport.py): failures keep PTB's error types,
say whether the request can have left, never quote the token-bearing URL; and the flood limiter
resends only what surely never left."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut

from adapters.telegram.throttle import PatientLimiter
from adapters.telegram.transport import AiohttpRequest, UnsentTimeout

TOKEN = "123456:SECRET-token-never-in-errors"


@pytest.fixture
async def stalled() -> AsyncIterator[str]:
    """A server that takes requests and never answers: its base URL."""
    release = asyncio.Event()

    async def hang(_request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/{tail:.*}", hang)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/bot{TOKEN}"
    release.set()
    await runner.cleanup()


@pytest.fixture
async def request_object() -> AsyncIterator[AiohttpRequest]:
    request = AiohttpRequest(1)
    async with request:
        yield request


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_refused_connection_is_a_network_error_naming_the_method_not_the_url(
        request_object: AiohttpRequest) -> None:
    with pytest.raises(NetworkError) as raised:
        await request_object.post(f"http://127.0.0.1:{closed_port()}/bot{TOKEN}/sendMessage", None)
    assert not isinstance(raised.value, TimedOut)
    assert "sendMessage" in str(raised.value) and TOKEN not in str(raised.value)
    assert raised.value.__suppress_context__  # aiohttp's own error, which names the URL, is not chained


async def test_no_answer_in_time_may_have_arrived(stalled: str, request_object: AiohttpRequest) -> None:
    with pytest.raises(TimedOut) as raised:
        await request_object.post(f"{stalled}/sendMessage", None, read_timeout=0.2)
    assert not isinstance(raised.value, UnsentTimeout)
    assert "sendMessage" in str(raised.value) and TOKEN not in str(raised.value)


async def test_waiting_for_a_free_connection_times_out_unsent(stalled: str,
                                                              request_object: AiohttpRequest) -> None:
    """The only connection is held by a request Telegram has not answered; the next one gives up
    waiting for it before sending anything."""
    holding = asyncio.create_task(request_object.post(f"{stalled}/getUpdates", None, read_timeout=5))
    await asyncio.sleep(0.1)
    with pytest.raises(TimedOut) as raised:
        await request_object.post(f"{stalled}/sendMessage", None, pool_timeout=0.1, connect_timeout=0.1)
    assert isinstance(raised.value, UnsentTimeout)
    assert TOKEN not in str(raised.value)
    holding.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await holding


async def test_a_request_before_initialize_is_refused() -> None:
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps what is not its own error
        await AiohttpRequest(1).post(f"http://127.0.0.1:{closed_port()}/bot{TOKEN}/getMe", None)


@pytest.mark.parametrize(("error", "calls"), [
    (UnsentTimeout("connect"), 3),  # never left: retried until the network retries run out
    (TimedOut("read"), 1),  # may have arrived: a second copy of a question is worse than none
])
async def test_a_timed_out_send_is_resent_only_when_it_surely_never_left(error: TimedOut, calls: int) -> None:
    limiter = PatientLimiter(per_second=0, group_per_minute=0, flood_retries=0, network_retries=2,
                             backoff=0.001)
    made = 0

    async def send() -> bool:
        nonlocal made
        made += 1
        raise error

    with pytest.raises(TimedOut):
        await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 7}, None)
    assert made == calls
