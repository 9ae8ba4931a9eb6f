"""The aiohttp transport under PTB (adapters/telegram/transport.py): failures keep PTB's error types,
say whether the request can have left, never quote the token-bearing URL; the environment's proxy
applies, read once rather than in a thread per request; and the flood limiter resends only what
surely never left."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut

from adapters.errors import PlatformUnreachable
from adapters.telegram import TelegramConfig, TelegramFrontend
from adapters.telegram.throttle import PatientLimiter
from adapters.telegram.transport import AiohttpRequest, UnsentTimeout
from bot.core import StudyBot

TOKEN = "123456:SECRET-token-never-in-errors"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
ANSWER = b'{"ok": true, "result": true}'


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
async def proxy() -> AsyncIterator[tuple[int, list[list[str]]]]:
    """A forward proxy that answers every request itself: its port, and each request's head lines."""
    heads: list[list[str]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while head := (await reader.readuntil(b"\r\n\r\n")).decode():
            lines = head.strip().split("\r\n")
            heads.append(lines)
            length = next((int(line.split(":")[1]) for line in lines
                           if line.lower().startswith("content-length:")), 0)
            await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(ANSWER), ANSWER))
            await writer.drain()

    async def serve_quietly(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            await serve(reader, writer)
        writer.close()

    server = await asyncio.start_server(serve_quietly, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1], heads
    server.close()


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


async def test_requests_go_through_the_environments_proxy_with_its_credentials(
        proxy: tuple[int, list[list[str]]], monkeypatch: pytest.MonkeyPatch) -> None:
    port, heads = proxy
    monkeypatch.setenv("HTTP_PROXY", f"http://relay:s3cret@127.0.0.1:{port}")
    async with AiohttpRequest(1) as request:
        assert await request.post(f"http://api.telegram.invalid/bot{TOKEN}/getMe", None) is True
    [[request_line, *headers]] = heads
    assert request_line == f"POST http://api.telegram.invalid/bot{TOKEN}/getMe HTTP/1.1"
    assert f"Proxy-Authorization: Basic {base64.b64encode(b'relay:s3cret').decode()}" in headers


async def test_hosts_named_in_no_proxy_are_reached_directly(
        proxy: tuple[int, list[list[str]]], monkeypatch: pytest.MonkeyPatch) -> None:
    port, heads = proxy
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")  # would refuse
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with AiohttpRequest(1) as request:
        assert await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", None) is True
    assert heads[0][0] == f"POST /bot{TOKEN}/getMe HTTP/1.1"  # origin form: sent straight to the host


async def test_a_request_takes_no_thread(proxy: tuple[int, list[list[str]]],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """aiohttp's trust_env looked up the proxy and ~/.netrc in a worker thread on every request."""
    port, heads = proxy
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    loop = asyncio.get_running_loop()
    handed_off: list[Any] = []
    run_in_executor = loop.run_in_executor

    def counting(executor: Any, func: Any, *args: Any) -> Any:
        handed_off.append(func)
        return run_in_executor(executor, func, *args)

    monkeypatch.setattr(loop, "run_in_executor", counting)
    async with AiohttpRequest(1) as request:
        for _ in range(5):
            await request.post(f"http://api.telegram.invalid/bot{TOKEN}/sendMessage", None)
    assert len(heads) == 5 and handed_off == []


async def test_a_start_that_cannot_reach_telegram_leaves_no_session_open(
        core: StudyBot, caplog: pytest.LogCaptureFixture) -> None:
    """PTB closes its HTTP clients only after a full initialize, so a failed getMe left both
    sessions open: logged as unclosed when collected, beside the one line a failed start prints."""
    config = TelegramConfig(token=TOKEN, base_url=f"http://127.0.0.1:{closed_port()}/bot",
                            network_retries=0)
    frontend = TelegramFrontend(core, config)
    with pytest.raises(PlatformUnreachable):
        await frontend.start()
    del frontend
    gc.collect()
    assert not [r for r in caplog.records if "Unclosed" in r.getMessage()]
