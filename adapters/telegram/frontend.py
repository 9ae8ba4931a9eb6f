"""The Telegram frontend: a PTB application on the shared asyncio loop, and the task that reveals
group rounds when their time is up.

PTB is started by hand (`async with application`, `start()`), not with `run_polling()`, which would
own the loop that the core, the scheduler and Discord share. Updates come through our own poller or
webhook server (intake.py, webhook.py) rather than PTB's Updater, which confirms an update to Telegram
before it is handled. Nothing the bot needs is kept in memory: prompts live in the database, so a
question asked before a restart is answered after it, by this process or another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack

from telegram import BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, Update
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import ApplicationBuilder

from adapters.count_edits import CountEdits
from adapters.errors import PlatformUnavailable, PlatformUnreachable
from adapters.round_reveals import reveal_rounds_forever
from adapters.telegram import menu
from adapters.telegram.config import TelegramConfig
from adapters.telegram.handlers import Handlers
from adapters.telegram.intake import Intake, Poller, TelegramApplication
from adapters.telegram.messenger import TelegramMessenger
from adapters.telegram.throttle import PatientLimiter, PerUserOrder
from adapters.telegram.transport import AiohttpRequest
from adapters.telegram.updates import TolerantBot
from adapters.telegram.webhook import WebhookServer
from bot.core import StudyBot
from bot.ports.delivery import Messenger

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
BOOTSTRAP_RETRIES = 3  # deleteWebhook/setWebhook at start-up, before giving up
DEFAULT_BASE_URL = "https://api.telegram.org/bot"
CONNECTIONS = 256  # PTB's own default for everything but getUpdates


def build_application(bot: TolerantBot, config: TelegramConfig) -> TelegramApplication:
    application: TelegramApplication = (
        ApplicationBuilder().bot(bot)
        .concurrent_updates(PerUserOrder(config.concurrent_updates))
        .job_queue(None)  # rounds are revealed by our own task; no APScheduler inside PTB
        .updater(None)  # updates come through intake.Poller or webhook.WebhookServer
        .build())
    return application


class TelegramFrontend:
    def __init__(self, study: StudyBot, config: TelegramConfig) -> None:
        self.study, self.config = study, config
        limiter = PatientLimiter(
            per_second=config.messages_per_second, group_per_minute=config.group_messages_per_minute,
            flood_retries=config.flood_retries, network_retries=config.network_retries,
            backoff=config.network_backoff)
        self._requests = (AiohttpRequest(CONNECTIONS), AiohttpRequest(1))
        self.bot = TolerantBot(
            config.token, base_url=config.base_url or DEFAULT_BASE_URL,
            request=self._requests[0], get_updates_request=self._requests[1], rate_limiter=limiter)
        self.application = build_application(self.bot, config)
        messenger = TelegramMessenger(self.application.bot, study.mark_unreachable,
                                      CountEdits(limiter.has_room, config.count_edit_every))
        self.messenger: Messenger = messenger  # what the scheduler and the round reveals use
        self.intake = Intake(self.application, study.clock.now)
        Handlers(study, messenger, config.ack_within, self.intake).install(self.application)
        self._stack = AsyncExitStack()

    async def start(self) -> None:
        """Connects (getMe), registers the command menu, starts handling updates and revealing
        rounds. On failure, whatever was started is stopped again."""
        try:
            # PTB shuts its HTTP clients down only once fully initialized: after a failed getMe their
            # sessions stayed open, to be reported as unclosed beside the one line that says why.
            self._stack.push_async_callback(_shut_down, self._requests)
            await self._stack.enter_async_context(self.application)  # initialize() ... shutdown()
            await self._register_menu()
            await self.application.start()
            self._stack.push_async_callback(self.application.stop)
            await self._start_updates()
            reveals = asyncio.create_task(
                reveal_rounds_forever(self.study, self.messenger, self.config.reveal_every),
                name="telegram round reveals")
            self._stack.push_async_callback(_cancel, reveals)
        except BaseException as exc:
            await self._stack.aclose()
            # Configuration problems get one line, never the token (PTB's message quotes it).
            if isinstance(exc, InvalidToken):
                raise PlatformUnavailable("Telegram rejected TELEGRAM_BOT_TOKEN: is it mistyped or "
                                          "revoked?") from None
            if isinstance(exc, NetworkError):
                raise PlatformUnreachable(f"Telegram: cannot reach the Bot API at "
                                          f"{self.config.base_url or DEFAULT_BASE_URL}: {exc}") from None
            if isinstance(exc, OSError):  # the webhook server could not listen
                host, port = self.config.webhook_listen
                raise PlatformUnavailable(f"TELEGRAM_WEBHOOK_LISTEN: cannot listen on {host}:{port}: "
                                          f"{exc.strerror or exc}") from None
            raise
        log.info("telegram: @%s is %s", self.application.bot.username,
                 f"receiving webhooks at {self.config.webhook_url}" if self.config.webhook_url
                 else "long-polling")

    async def stop(self) -> None:
        """Stops in the reverse order: reveals, updates, handlers, then the HTTP client."""
        await self._stack.aclose()

    async def _start_updates(self) -> None:
        bot = self.application.bot
        if self.config.webhook_url:
            secret = self.config.webhook_secret or secrets.token_urlsafe(32)
            server = WebhookServer(self.intake, self.config.webhook_path, secret)
            await server.start(*self.config.webhook_listen)
            self._stack.push_async_callback(server.stop)
            url = self.config.webhook_url
            await _bootstrap(lambda: bot.set_webhook(url, allowed_updates=ALLOWED_UPDATES,
                                                     secret_token=secret))
            return
        await _bootstrap(bot.delete_webhook)
        poller = Poller(self.intake, self.bot, timeout=self.config.poll_timeout,
                        allowed_updates=ALLOWED_UPDATES)
        polling = asyncio.create_task(poller.run(), name="telegram polling")
        polling.add_done_callback(_report_polling_end)

        async def stop_polling() -> None:
            await _cancel(polling)
            await poller.stop()

        self._stack.push_async_callback(stop_polling)

    async def _register_menu(self) -> None:
        """The menu is a convenience: failing to set it is logged, never fatal."""
        bot = self.application.bot
        try:
            await bot.set_my_commands(menu.PRIVATE, scope=BotCommandScopeAllPrivateChats())
            await bot.set_my_commands(menu.GROUP, scope=BotCommandScopeAllGroupChats())
        except TelegramError as exc:
            log.warning("could not register the command menu: %s", exc)


async def _bootstrap(call: Callable[[], Awaitable[object]]) -> None:
    """deleteWebhook or setWebhook, retried through a flaky start (PTB's Updater did the same)."""
    for attempt in range(BOOTSTRAP_RETRIES + 1):
        try:
            await call()
            return
        except BadRequest:
            raise
        except NetworkError:
            if attempt == BOOTSTRAP_RETRIES:
                raise
            await asyncio.sleep(1.0)


def _report_polling_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.critical("Telegram polling stopped: %r", task.exception())


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _shut_down(requests: tuple[AiohttpRequest, ...]) -> None:
    """Closes the HTTP clients' sessions; a no-op for those PTB has closed already."""
    await asyncio.gather(*(request.shutdown() for request in requests))
