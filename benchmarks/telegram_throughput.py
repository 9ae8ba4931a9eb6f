"""What a /quiz and an answer press cost through the whole Telegram stack, next to the floor any PTB
bot pays.

N distinct users each send /quiz through the fake Bot API (tests/telegram/fake_api.py), then all press
A under the question they got; the quiz bot (the real adapter and core on a fresh SQLite file, and
with TEST_POSTGRES_URL set on PostgreSQL too; the real question bank) answers each /quiz with a
question and each press with its verdict (a callback answer and an edit). A bare PTB bot, built with
the same HTTP and concurrency settings, echoes each message with four buttons and answers each press
with a callback answer and an edit, against the same fake in the same run; so does the adapter with
a canned core (one question from memory), which splits the quiz bot's cost into the adapter's and
the core's. The bot sends its requests over aiohttp (adapters/telegram/transport.py) where PTB uses
httpx, so the echo bot runs twice: with PTB's defaults ("echo", the baseline the target is set
against) and on the bot's transport ("echo aiohttp", which leaves the adapter's and core's own cost in
the ratio). The bots built from the app's parts take their startup objects out of the garbage
collector's sight once started, as the app does (app.runtime.settle_startup_memory); the echo bots,
bare PTB, do not. The fake runs in a
child process, so only the bots share this process's CPU, as they would with the real Telegram.
Flood pacing is off: this measures processing cost, not Telegram's 30 messages/s policy.

Reported per bot, as medians over the runs: the CPU time this process spent per update of a burst
(N updates queued at once; from the burst's start until its last reply, plus SETTLE for work a bot
does after replying; the driver's few status polls are in it for every bot alike), burst throughput,
latency in that burst (update handed out by getUpdates -> reply received; mostly queueing), and the
latency of updates sent one at a time (the service time). The ratios are cost per update against
the echo bot: CPU first (what the target is set in), then throughput.

Run: scripts/with-postgres.sh .venv/bin/python benchmarks/telegram_throughput.py [N] [runs]
(without TEST_POSTGRES_URL only SQLite runs)
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.telegram import TelegramConfig, TelegramFrontend  # noqa: E402
from adapters.telegram.frontend import CONNECTIONS  # noqa: E402
from adapters.telegram.transport import AiohttpRequest  # noqa: E402
from app.runtime import settle_startup_memory  # noqa: E402
from benchmarks.both_databases import fresh_store  # noqa: E402
from benchmarks.canned_core import CannedCore  # noqa: E402
from bot.content.bank import load_bank  # noqa: E402
from bot.core import StudyBot  # noqa: E402
from bot.ports.clock import SystemClock  # noqa: E402
from tests.telegram.fake_api import TOKEN, Call, FakeBotApi  # noqa: E402

CONCURRENCY = 64  # the adapter's default
KINDS = ("quiz", "press")  # a /quiz message, then pressing A under the question it brought
SEQUENTIAL = 100  # updates sent one at a time per run, for the service time
WARM_UP = 50
SETTLE = 0.1  # seconds after a burst's last reply still counted: batched delivery marks run then


# The fake, in its own process, with a control port to script it and read timings ------------------
class Control:
    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.update_of: dict[int, int] = {}  # user id -> the update id of their latest update
        self.replies: dict[int, list[float]] = {}  # chat id -> when the bot sent or edited a message
        self.question: dict[int, Call] = {}  # chat id -> the latest message with buttons
        self.apologised: set[int] = set()  # chats whose reply was the core's apology (a failure)
        self._scanned = 0

    async def say(self, request: web.Request) -> web.Response:
        body = await request.json()
        for user_id in body["users"]:
            user = self.api.user(user_id, f"User {user_id}")
            self.update_of[user_id] = self.api.say(user, body["text"])
        return web.json_response({"queued": len(body["users"])})

    async def press(self, request: web.Request) -> web.Response:
        """Each user presses "A" under the question they were last sent."""
        self._scan()
        for user_id in (await request.json())["users"]:
            user = self.api.user(user_id, f"User {user_id}")
            self.update_of[user_id] = self.api.press(user, self.question[user_id], "A")
        return web.json_response({"queued": True})

    async def timings(self, request: web.Request) -> web.Response:
        """Delivery of each user's latest update and the bot's first message to them after it, once
        all in the range are answered."""
        self._scan()
        first, count = int(request.query["first"]), int(request.query["count"])
        users = range(first, first + count)
        delivered = [self.api.delivered_at.get(self.update_of[u]) for u in users]
        replied = [next((t for t in self.replies.get(u, []) if d is not None and t >= d), None)
                   for u, d in zip(users, delivered, strict=True)]
        if None in replied:
            return web.json_response({"done": False})
        return web.json_response({"done": True, "delivered": delivered, "replied": replied,
                                  "failed": len(self.apologised.intersection(users))})

    def _scan(self) -> None:
        for call in self.api.calls[self._scanned:]:
            if call.method in ("sendMessage", "editMessageText") and call.chat_id is not None:
                self.replies.setdefault(call.chat_id, []).append(call.at)
                if call.method == "sendMessage" and call.buttons:
                    self.question[call.chat_id] = call
                if call.text.startswith("Sorry, something went wrong"):
                    self.apologised.add(call.chat_id)
        self._scanned = len(self.api.calls)


def serve_fake(port_out: Any) -> None:
    async def main() -> None:
        async with FakeBotApi() as api:
            control = Control(api)
            app = web.Application()
            app.router.add_post("/say", control.say)
            app.router.add_post("/press", control.press)
            app.router.add_get("/timings", control.timings)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            port_out.send((api.base_url, runner.addresses[0][1]))
            await asyncio.Event().wait()

    asyncio.run(main())


# The two bots ---------------------------------------------------------------------------------
@asynccontextmanager
async def echo_bot(base_url: str, on_aiohttp: bool = False) -> AsyncIterator[None]:
    """The floor: a bare PTB bot that echoes a message with four buttons under it, and answers a
    press as the quiz bot does, with a callback answer and an edit of the message; with PTB's own
    HTTP client, or `on_aiohttp` with the quiz bot's."""
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton(x, callback_data=x) for x in "ABCD"]])

    async def echo(update: Update, _context: object) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text, reply_markup=buttons)

    async def pressed(update: Update, _context: object) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        await query.answer()
        await query.edit_message_text(f"You pressed {query.data}")

    builder = (ApplicationBuilder().token(TOKEN).base_url(base_url).concurrent_updates(CONCURRENCY)
               .job_queue(None))
    if on_aiohttp:
        builder = builder.request(AiohttpRequest(CONNECTIONS)).get_updates_request(AiohttpRequest(1))
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling()
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()


@asynccontextmanager
async def telegram_adapter(base_url: str, canned: bool, url: str | None) -> AsyncIterator[None]:
    async with fresh_store(url) as store:
        core = CannedCore if canned else StudyBot
        study = core(store, load_bank(ROOT / "content" / "questions"), SystemClock(), rng=random.Random(1))
        frontend = TelegramFrontend(study, TelegramConfig(
            TOKEN, base_url=base_url, messages_per_second=0, group_messages_per_minute=0,
            concurrent_updates=CONCURRENCY))
        await frontend.start()
        settle_startup_memory()  # as the bot does once its frontends are up (app.runtime.serve)
        try:
            yield
        finally:
            await frontend.stop()
            gc.unfreeze()  # the next bot starts as a bare one would


def quiz_bot(url: str | None) -> Callable[[str], AbstractAsyncContextManager[None]]:
    return lambda base_url: telegram_adapter(base_url, canned=False, url=url)


def adapter_only(base_url: str) -> AbstractAsyncContextManager[None]:
    return telegram_adapter(base_url, canned=True, url=None)


# Measuring ------------------------------------------------------------------------------------
@dataclass
class Sample:
    cpu_per_update: float
    per_second: float
    burst_p50: float
    burst_p99: float
    one_p50: float
    one_p99: float
    failed: int


class Driver:
    def __init__(self, control: httpx.AsyncClient) -> None:
        self.control = control
        self.next_user = 1_000_000

    def users(self, n: int) -> list[int]:
        self.next_user += n
        return list(range(self.next_user - n, self.next_user))

    async def send(self, users: list[int], kind: str) -> tuple[list[float], list[float], int, float]:
        """Each user sends /quiz (`kind` "quiz") or presses A under their question ("press"); when
        each update was handed out and the bot's first message to its user after that, the users
        who got an apology, and the CPU time this process spent meanwhile (and for SETTLE after)."""
        cpu = time.process_time()
        if kind == "quiz":
            await self.control.post("/say", json={"users": users, "text": "/quiz"})
        else:
            await self.control.post("/press", json={"users": users})
        while True:
            answer = (await self.control.get("/timings", params={"first": users[0],
                                                                 "count": len(users)})).json()
            if answer["done"]:
                await asyncio.sleep(SETTLE)
                return answer["delivered"], answer["replied"], answer["failed"], time.process_time() - cpu
            await asyncio.sleep(0.005 if len(users) == 1 else 0.05)

    async def measure(self, n: int) -> dict[str, Sample]:
        """A burst of N /quiz, then the same N users pressing at once; then one at a time."""
        warm = self.users(WARM_UP)
        for kind in KINDS:
            await self.send(warm, kind)
        burst_users, single_users = self.users(n), self.users(SEQUENTIAL)
        samples: dict[str, Sample] = {}
        singles: dict[str, list[float]] = {kind: [] for kind in KINDS}
        bursts = {kind: await self.send(burst_users, kind) for kind in KINDS}
        for user in single_users:
            for kind in KINDS:
                [d], [r], _, _ = await self.send([user], kind)
                singles[kind].append(r - d)
        for kind, (delivered, replied, failed, cpu) in bursts.items():
            burst = [r - d for d, r in zip(delivered, replied, strict=True)]
            samples[kind] = Sample(cpu / n, n / (max(replied) - min(delivered)), _pct(burst, 50),
                                   _pct(burst, 99), _pct(singles[kind], 50), _pct(singles[kind], 99), failed)
        return samples


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if q < 100 else max(values)


def _median(samples: list[Sample], field: str) -> float:
    return float(statistics.median(getattr(s, field) for s in samples))


async def bench(n: int, runs: int, base_url: str, control_port: int) -> None:
    bots: dict[str, Callable[[str], AbstractAsyncContextManager[None]]] = {
        "echo": echo_bot, "echo aiohttp": lambda base_url: echo_bot(base_url, on_aiohttp=True),
        "adapter": adapter_only, "quiz": quiz_bot(None)}
    if postgres := os.environ.get("TEST_POSTGRES_URL"):
        bots["quiz PG"] = quiz_bot(postgres)
    results: dict[str, dict[str, list[Sample]]] = {name: {k: [] for k in KINDS} for name in bots}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{control_port}", timeout=120) as control:
        driver = Driver(control)
        for run in range(runs):
            order = list(bots)[run % len(bots):] + list(bots)[:run % len(bots)]  # no bot always first
            for name in order:
                async with bots[name](base_url):
                    measured = await driver.measure(n)
                for kind, sample in measured.items():
                    results[name][kind].append(sample)
                    print(f"run {run + 1} {name} {kind}: {sample.cpu_per_update * 1000:5.2f} ms CPU/update, "
                          f"{sample.per_second:5.0f} updates/s, burst p50 "
                          f"{sample.burst_p50 * 1000:6.1f} ms p99 {sample.burst_p99 * 1000:6.1f} ms, one at "
                          f"a time p50 {sample.one_p50 * 1000:5.2f} ms p99 {sample.one_p99 * 1000:5.2f} ms, "
                          f"{sample.failed} apologies", flush=True)
    print(f"\nmedians over {runs} runs, N = {n} distinct users, concurrency {CONCURRENCY} "
          "(quiz: SQLite; quiz PG: PostgreSQL):")
    print(f"{'':16}{'CPU/update':>11}{'updates/s':>11}{'burst p50':>11}{'burst p99':>11}{'single p50':>12}"
          f"{'single p99':>12}")
    for name, kinds in results.items():
        for kind, samples in kinds.items():
            print(f"{name + ' ' + kind:16}{_median(samples, 'cpu_per_update') * 1000:11.2f}"
                  f"{_median(samples, 'per_second'):11.0f}"
                  + "".join(f"{_median(samples, f) * 1000:{w}.1f}" if "burst" in f
                            else f"{_median(samples, f) * 1000:{w}.2f}"
                            for f, w in (("burst_p50", 11), ("burst_p99", 11), ("one_p50", 12),
                                         ("one_p99", 12)))
                  + " ms")
    failed = sum(s.failed for name in bots if name.startswith("quiz")
                 for kind in KINDS for s in results[name][kind])
    print(f"apologies (failed updates) in all quiz bursts: {failed}")
    for baseline in ("echo", "echo aiohttp"):
        for name in [b for b in bots if not b.startswith("echo")]:
            for kind in KINDS:
                echo = results[baseline][kind]
                cpu = _median(results[name][kind], "cpu_per_update") / _median(echo, "cpu_per_update")
                per_update = _median(echo, "per_second") / _median(results[name][kind], "per_second")
                service = _median(results[name][kind], "one_p50") / _median(echo, "one_p50")
                each = [s.cpu_per_update / e.cpu_per_update
                        for s, e in zip(results[name][kind], echo, strict=True)]
                print(f"{name} {kind} / {baseline} {kind}: {cpu:.2f}x CPU per update, {per_update:.2f}x "
                      f"(throughput), {service:.2f}x (single p50); CPU in each run: "
                      + " ".join(f"{r:.2f}x" for r in each))
    print("target: quiz and press <= 1.5x echo (PTB's defaults) in CPU per update; against echo aiohttp "
          "(the same transport) the ratio is the adapter's and core's own cost")


@contextmanager
def fake_in_child() -> Iterator[tuple[str, int]]:
    """The fake Bot API in a process of its own: its base URL and its control port."""
    receive, send = multiprocessing.get_context("spawn").Pipe(duplex=False)
    fake = multiprocessing.get_context("spawn").Process(target=serve_fake, args=(send,), daemon=True)
    fake.start()
    try:
        yield receive.recv()
    finally:
        fake.terminate()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    logging.basicConfig(level=logging.WARNING)
    with fake_in_child() as (base_url, control_port):
        asyncio.run(bench(n, runs, base_url, control_port))


if __name__ == "__main__":
    main()
