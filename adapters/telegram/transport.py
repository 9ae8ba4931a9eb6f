"""The Bot API's HTTP requests over aiohttp, in place of python-telegram-bot's default httpx.

Why: httpcore, under httpx, walks its whole connection pool twice per request, polling the socket of
every idle connection each time. A bare PTB echo bot spent 2.30 ms of CPU per message and 3.95 ms per
button press on httpx, against 1.78 and 1.93 ms on aiohttp (benchmarks/telegram_throughput.py, "echo"
and "echo aiohttp", medians of five runs). aiohttp is already here for discord.py.

Timeouts keep PTB's values: `connect_timeout` bounds opening a connection and `read_timeout` the wait
between reads. aiohttp bounds waiting for a free connection and opening it together, so that gets
`pool_timeout + connect_timeout`; it has no write timeout, so a request's whole life is capped by the
sum of all four. Errors keep PTB's types (TimedOut, NetworkError); a timeout that
struck before the request left is an `UnsentTimeout`, which the flood limiter may safely retry. No
message carries the request's URL, since Bot API URLs carry the token.

Proxies: the environment's (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) apply, read once per origin. aiohttp's
`trust_env` reads them, and ~/.netrc, in a worker thread on every request: two thread hops per
request. Those threads spent about 15 % of the quiz bot's CPU, and with the loop's wake-ups a /quiz
cost 1.64x and a press 1.32x the CPU it costs without them (benchmarks/telegram_throughput.py bots,
one run).
"""

from __future__ import annotations

import ssl
import urllib.parse
import urllib.request

import aiohttp
import certifi
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB's own defaults (HTTPXRequest), in seconds.
CONNECT_TIMEOUT = READ_TIMEOUT = WRITE_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0  # a request that uploads a file (a chart, an export)


class UnsentTimeout(TimedOut):
    """Timed out opening or waiting for a connection: nothing reached Telegram, so sending the
    request again cannot duplicate it."""


class AiohttpRequest(BaseRequest):
    """A PTB request object on one aiohttp session (opened by `initialize`, closed by `shutdown`)
    with at most `connections` connections open at once."""

    def __init__(self, connections: int) -> None:
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}  # origin -> the proxy to reach it through

    @property
    def read_timeout(self) -> float:
        return READ_TIMEOUT

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._connections, ssl=ssl.create_default_context(cafile=certifi.where()))
            self._session = aiohttp.ClientSession(connector=connector,
                                                  headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = request_data.contains_files if request_data else False
        read = _given(read_timeout, READ_TIMEOUT)
        connect = _given(connect_timeout, CONNECT_TIMEOUT)
        pool = _given(pool_timeout, POOL_TIMEOUT)
        write = _given(write_timeout, MEDIA_WRITE_TIMEOUT if uploads else WRITE_TIMEOUT)
        phases = (pool, connect, write, read)
        timeout = aiohttp.ClientTimeout(
            total=None if None in phases else sum(p for p in phases if p is not None),
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect, sock_read=read)
        try:
            async with self._session.request(method, url, data=_body(request_data), timeout=timeout,
                                              proxy=self._proxy(url)) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError:
            raise UnsentTimeout(f"Timed out connecting for {_endpoint(url)}") from None
        except TimeoutError:  # aiohttp's read timeouts are TimeoutErrors too
            raise TimedOut(f"Timed out waiting for Telegram's answer to {_endpoint(url)}") from None
        except aiohttp.ClientConnectorError as exc:  # refused, unreachable, no DNS: never sent
            raise NetworkError(f"aiohttp.{type(exc).__name__} for {_endpoint(url)}: {exc.strerror}") from None
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__} for {_endpoint(url)}") from None


    def _proxy(self, url: str) -> str | None:
        """The proxy the environment names for the URL's origin (credentials in it are sent to the
        proxy), read on its first request, as httpx (PTB's default) reads it once per client."""
        parts = urllib.parse.urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._proxies:
            named = urllib.request.getproxies().get(parts.scheme)
            bypassed = urllib.request.proxy_bypass(parts.hostname or "")
            self._proxies[origin] = named if named and not bypassed else None
        return self._proxies[origin]


def _given(value: ODVInput[float], default: float) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """The parameters form-encoded, or with files as multipart, as PTB's HTTPXRequest sends them."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return form


def _endpoint(url: str) -> str:
    """The Bot API method a URL calls (its last path segment): never the token before it."""
    return url.rsplit("/", 1)[-1]
