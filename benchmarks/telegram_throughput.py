"""What a /quiz costs through the whole Telegram stack, next to the floor any PTB bot pays.

N distinct users each send /quiz through the fake Bot API (tests/telegram/fake_api.py); the quiz bot
(the real adapter and core on a fresh SQLite file, the real question bank) answers each with a
question. A bare PTB echo bot, built with the same HTTP and concurrency settings, answers the same
load against the same fake in the same run; so does the adapter with a canned core (one question
from memory), which splits the quiz bot's cost into the adapter's and the core's. The fake runs in a
child process, so only the bots share this process's CPU, as they would with the real Telegram.
Flood pacing is off: this measures processing cost, not Telegram's 30 messages/s policy.

Reported per bot, as medians over the runs: burst throughput (N updates queued at once), latency in
that burst (update handed out by getUpdates -> reply received; mostly queueing), and the latency of
updates sent one at a time (the service time). The ratios are cost per update against the echo bot.

Run: .venv/bin/python benchmarks/telegram_throughput.py [N] [runs]
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import random
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from telegram import Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.telegram import TelegramConfig, TelegramFrontend  # noqa: E402
from bot.content.bank import load_bank  # noqa: E402
from bot.core import StudyBot  # noqa: E402
from bot.events import Address, Event  # noqa: E402
from bot.handled import Handled, Outcome  # noqa: E402
from bot.outgoing import Outgoing  # noqa: E402
from bot.ports.clock import SystemClock  # noqa: E402
from bot.practice.texts import question_message  # noqa: E402
from bot.storage.engine import make_engine, upgrade  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from tests.telegram.fake_api import TOKEN, FakeBotApi  # noqa: E402

CONCURRENCY = 64  # the adapter's default
SEQUENTIAL = 100  # updates sent one at a time per run, for the service time
WARM_UP = 50


# The fake, in its own process, with a control port to script it and read timings ------------------
class Control:
    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.update_of: dict[int, int] = {}  # user id -> the update id of their /quiz
        self.replied_at: dict[int, float] = {}  # chat id -> first reply
        self.apologised: set[int] = set()  # chats whose reply was the core's apology (a failure)
        self._scanned = 0

    async def say(self, request: web.Request) -> web.Response:
        body = await request.json()
        for user_id in body["users"]:
            user = self.api.user(user_id, f"User {user_id}")
            self.update_of[user_id] = self.api.say(user, body["text"])
        return web.json_response({"queued": len(body["users"])})

    async def timings(self, request: web.Request) -> web.Response:
        """Delivery and first reply of the update of each user in a range, once all are answered."""
        for call in self.api.calls[self._scanned:]:
            if call.method == "sendMessage" and call.chat_id is not None:
                self.replied_at.setdefault(call.chat_id, call.at)
                if call.text.startswith("Sorry, something went wrong"):
                    self.apologised.add(call.chat_id)
        self._scanned = len(self.api.calls)
        first, count = int(request.query["first"]), int(request.query["count"])
        users = range(first, first + count)
        if any(u not in self.replied_at for u in users):
            return web.json_response({"done": False})
        delivered = [self.api.delivered_at[self.update_of[u]] for u in users]
        replied = [self.replied_at[u] for u in users]
        return web.json_response({"done": True, "delivered": delivered, "replied": replied,
                                  "failed": len(self.apologised.intersection(users))})


def serve_fake(port_out: Any) -> None:
    async def main() -> None:
        async with FakeBotApi() as api:
            control = Control(api)
            app = web.Application()
            app.router.add_post("/say", control.say)
            app.router.add_get("/timings", control.timings)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            port_out.send((api.base_url, runner.addresses[0][1]))
            await asyncio.Event().wait()

    asyncio.run(main())


# The two bots ---------------------------------------------------------------------------------
@asynccontextmanager
async def echo_bot(base_url: str) -> AsyncIterator[None]:
    async def echo(update: Update, _context: object) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    application = (ApplicationBuilder().token(TOKEN).base_url(base_url)
                   .concurrent_updates(CONCURRENCY).job_queue(None).build())
    application.add_handler(MessageHandler(filters.TEXT, echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling()
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()


class CannedCore(StudyBot):
    """The core answering every event with the same question from memory: isolates the adapter."""

    async def process(self, event: Event) -> Handled:
        return Handled([question_message(self.bank.questions[0], 1, "Question")], Outcome.APPLIED)

    async def close_due_rounds(self, platform: str | None = None) -> list[tuple[Address, Outgoing]]:
        return []


@asynccontextmanager
async def telegram_adapter(base_url: str, canned: bool) -> AsyncIterator[None]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        await asyncio.to_thread(upgrade, url)
        engine = make_engine(url)
        core = CannedCore if canned else StudyBot
        study = core(Store(engine), load_bank(ROOT / "content" / "questions"), SystemClock(),
                     rng=random.Random(1))
        frontend = TelegramFrontend(study, TelegramConfig(
            TOKEN, base_url=base_url, messages_per_second=0, group_messages_per_minute=0,
            concurrent_updates=CONCURRENCY))
        await frontend.start()
        try:
            yield
        finally:
            await frontend.stop()
            await engine.dispose()


def quiz_bot(base_url: str) -> AbstractAsyncContextManager[None]:
    return telegram_adapter(base_url, canned=False)


def adapter_only(base_url: str) -> AbstractAsyncContextManager[None]:
    return telegram_adapter(base_url, canned=True)


# Measuring ------------------------------------------------------------------------------------
@dataclass
class Sample:
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

    async def send(self, users: list[int]) -> tuple[list[float], list[float], int]:
        await self.control.post("/say", json={"users": users, "text": "/quiz"})
        while True:
            answer = (await self.control.get("/timings", params={"first": users[0],
                                                                 "count": len(users)})).json()
            if answer["done"]:
                return answer["delivered"], answer["replied"], answer["failed"]
            await asyncio.sleep(0.005 if len(users) == 1 else 0.05)

    async def measure(self, n: int) -> Sample:
        await self.send(self.users(WARM_UP))
        delivered, replied, failed = await self.send(self.users(n))
        burst = [r - d for d, r in zip(delivered, replied, strict=True)]
        single: list[float] = []
        for user in self.users(SEQUENTIAL):
            [d], [r], _ = await self.send([user])
            single.append(r - d)
        return Sample(n / (max(replied) - min(delivered)), _pct(burst, 50), _pct(burst, 99),
                      _pct(single, 50), _pct(single, 99), failed)


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if q < 100 else max(values)


def _median(samples: list[Sample], field: str) -> float:
    return statistics.median(getattr(s, field) for s in samples)


async def bench(n: int, runs: int, base_url: str, control_port: int) -> None:
    bots = {"echo": echo_bot, "adapter": adapter_only, "quiz": quiz_bot}
    results: dict[str, list[Sample]] = {name: [] for name in bots}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{control_port}", timeout=120) as control:
        driver = Driver(control)
        for run in range(runs):
            order = list(bots)[run % 3:] + list(bots)[:run % 3]  # rotate, so no bot always goes first
            for name in order:
                async with bots[name](base_url):
                    sample = await driver.measure(n)
                results[name].append(sample)
                print(f"run {run + 1} {name}: {sample.per_second:7.0f} updates/s, burst p50 "
                      f"{sample.burst_p50 * 1000:6.1f} ms p99 {sample.burst_p99 * 1000:6.1f} ms, one at "
                      f"a time p50 {sample.one_p50 * 1000:5.2f} ms p99 {sample.one_p99 * 1000:5.2f} ms, "
                      f"{sample.failed} apologies",
                      flush=True)
    print(f"\nmedians over {runs} runs, N = {n} distinct users, concurrency {CONCURRENCY}, SQLite:")
    print(f"{'':8}{'updates/s':>11}{'burst p50':>11}{'burst p99':>11}{'single p50':>12}{'single p99':>12}")
    for name, samples in results.items():
        print(f"{name:8}{_median(samples, 'per_second'):11.0f}"
              + "".join(f"{_median(samples, f) * 1000:{w}.1f}" if "burst" in f
                        else f"{_median(samples, f) * 1000:{w}.2f}"
                        for f, w in (("burst_p50", 9), ("burst_p99", 9), ("one_p50", 10), ("one_p99", 10)))
              + " ms")
    print(f"apologies (failed /quiz) in all bursts: {sum(s.failed for s in results['quiz'])}")
    for name in ("adapter", "quiz"):
        per_update = _median(results["echo"], "per_second") / _median(results[name], "per_second")
        service = _median(results[name], "one_p50") / _median(results["echo"], "one_p50")
        print(f"{name} / echo cost per update: {per_update:.2f}x (throughput), {service:.2f}x (single p50)")
    print("target: quiz <= 2x echo")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    logging.basicConfig(level=logging.WARNING)
    receive, send = multiprocessing.get_context("spawn").Pipe(duplex=False)
    fake = multiprocessing.get_context("spawn").Process(target=serve_fake, args=(send,), daemon=True)
    fake.start()
    try:
        base_url, control_port = receive.recv()
        asyncio.run(bench(n, runs, base_url, control_port))
    finally:
        fake.terminate()


if __name__ == "__main__":
    main()
