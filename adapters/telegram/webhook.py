"""The webhook endpoint: each update is answered only once it is handled.

PTB's own webhook server answers 200 as soon as an update is queued, so a crash loses it. Here the
request waits for `Intake.process`: 200 once the update is handled, 500 when the core failed and it
should come again; a dropped connection (the instance died) makes Telegram send it again too,
possibly to another instance behind the load balancer, where the core's ledger stops a second effect.
Served by tornado, which python-telegram-bot's webhooks extra brings.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from datetime import datetime
from typing import Any

from telegram import Bot, Update
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from adapters.telegram.intake import Intake

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DRAIN = 10.0  # seconds a stopping server waits for the updates it is handling


class WebhookServer:
    def __init__(self, intake: Intake, path: str, secret: str) -> None:
        self.intake, self.path, self.secret = intake, path, secret
        self.port = 0
        self._http: HTTPServer | None = None
        self._handling: set[asyncio.Task[bool]] = set()

    async def start(self, host: str, port: int) -> None:
        """Listens on host:port (raises OSError if it cannot)."""
        sockets = bind_sockets(port, host)
        self.port = sockets[0].getsockname()[1]
        app = Application([(rf"/{self.path}/?" if self.path else r"/", _Hook, {"server": self})],
                          log_function=_quiet)
        self._http = HTTPServer(app)
        self._http.add_sockets(sockets)

    async def stop(self) -> None:
        """Takes no new requests, lets those in hand finish (for up to DRAIN seconds), then closes."""
        if self._http is None:
            return
        self._http.stop()
        if self._handling:
            await asyncio.wait(self._handling, timeout=DRAIN)
        await self._http.close_all_connections()
        self._http = None

    async def handle(self, update: Update, received_at: datetime) -> bool:
        """Processes in a task of its own, so a stop can wait for it."""
        task = asyncio.create_task(self.intake.process(update, received_at),
                                   name=f"telegram webhook {update.update_id}")
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)
        return await asyncio.shield(task)


class _Hook(RequestHandler):
    def initialize(self, server: WebhookServer) -> None:
        self.server = server

    async def post(self) -> None:
        received_at = self.server.intake.now()
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.server.secret.encode()):
            log.warning("webhook request without the secret from %s", self.request.remote_ip)
            self.send_error(403)
            return
        try:
            raw = json.loads(self.request.body)
        except ValueError:
            self.send_error(400)
            return
        update = _readable(raw, self.server.intake.application.bot)
        if update is None:
            self.send_error(400)
            return
        handled = await self.server.handle(update, received_at)
        self.set_status(200 if handled else 500)
        self.finish()


def _readable(raw: Any, bot: Bot) -> Update | None:
    """The update, or a bare one with its id when PTB cannot read the rest (it is logged, answered
    200 and dropped, as in polling: sending it again would not make it readable); None without an id."""
    if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
        return None
    try:
        return Update.de_json(raw, bot)
    except Exception:
        log.warning("dropped an update that cannot be read: %.500r", raw, exc_info=True)
        return Update(raw["update_id"])


def _quiet(_handler: Any) -> None:
    """Every update is one request: an access log line each would drown the bot's own log."""
