"""The operator port: /healthz for load balancers and orchestrators, /metrics for Prometheus.

Served by tornado (already here for python-telegram-bot's webhooks) on the bot's own event loop, so a
blocked loop shows as a slow or failed /healthz, as it should. A heartbeat task measures how late the
loop wakes it; /healthz fails while that lag is over LAG_LIMIT or the database does not answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.exposition import choose_encoder
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from bot.ports.storage import Store
from ops.metrics import LOOP_LAG

log = logging.getLogger(__name__)

HEARTBEAT = 0.25  # seconds between the loop probe's wake-ups
LAG_LIMIT = 2.0  # a loop this late is not responsive
DATABASE_TIMEOUT = 3.0

DatabaseCheck = Callable[[], Awaitable[None]]


def database_check(store: Store) -> DatabaseCheck:
    """A read through the store, as every event does: one small table's row by its key."""
    async def check() -> None:
        async with store.transaction() as tx:
            await tx.adapter_state.get("operator", "healthz")
    return check


class OperatorServer:
    def __init__(self, listen: tuple[str, int], database_ok: DatabaseCheck) -> None:
        self.listen, self.database_ok = listen, database_ok
        self.port = 0  # the bound port, once started (listen may ask for 0: any free port)
        self._lag = 0.0
        self._last_beat = 0.0
        self._http: HTTPServer | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    async def start(self) -> None:
        host, port = self.listen
        sockets = bind_sockets(port, host)
        self.port = sockets[0].getsockname()[1]
        app = Application([(r"/healthz", _Health, {"server": self}), (r"/metrics", _Metrics)],
                          log_function=_quiet)
        self._http = HTTPServer(app)
        self._http.add_sockets(sockets)
        self._last_beat = asyncio.get_running_loop().time()
        self._heartbeat = asyncio.create_task(self._beat(), name="operator heartbeat")
        log.info("operator endpoints on %s:%d (/healthz, /metrics)", host, self.port)

    async def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        if self._http is not None:
            self._http.stop()
            await self._http.close_all_connections()

    def loop_lag(self) -> float:
        """The last lag measured, or the time since the last beat if that is longer (blocked now)."""
        overdue = asyncio.get_running_loop().time() - self._last_beat - HEARTBEAT
        return max(self._lag, overdue, 0.0)

    async def problems(self) -> list[str]:
        found = []
        lag = self.loop_lag()
        if lag > LAG_LIMIT:
            found.append(f"event loop {lag:.1f} s late")
        try:
            await asyncio.wait_for(self.database_ok(), DATABASE_TIMEOUT)
        except Exception as exc:  # whatever the driver raises: unreachable, timed out, refused
            found.append(f"database unreachable ({type(exc).__name__})")
        return found

    async def _beat(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(HEARTBEAT)
            now = loop.time()
            self._lag = max(0.0, now - self._last_beat - HEARTBEAT)
            self._last_beat = now
            LOOP_LAG.set(self._lag)


class _Health(RequestHandler):
    def initialize(self, server: OperatorServer) -> None:
        self.server = server

    async def get(self) -> None:
        problems = await self.server.problems()
        self.set_status(503 if problems else 200)
        self.finish({"ok": not problems, "problems": problems,
                     "event_loop_lag_seconds": round(self.server.loop_lag(), 3)})


class _Metrics(RequestHandler):
    def get(self) -> None:
        encode, content_type = choose_encoder(self.request.headers.get("Accept", ""))
        self.set_header("Content-Type", content_type)
        self.finish(encode(REGISTRY))


def _quiet(_handler: Any) -> None:
    """Probes come every few seconds: tornado's access log would be most of the log."""
