"""Crash runs: `kill -9` a bot mid-burst and count what was lost and what was applied twice.

Polling: one `cmas-bot run` process long-polls the fake Bot API (tests/telegram/fake_api.py, in a
child process); 200 users each send /quiz at once; when about a third of the replies are out, the
process gets SIGKILL and is started again. Webhook (PostgreSQL): two `cmas-bot run` processes behind
a round-robin proxy; a sender plays Telegram (40 requests in flight, any non-200 or dropped
connection sent again); one instance gets SIGKILL mid-burst and the other carries on.

Counted from the database: an update is *lost* if its user has no question (prompt) and *applied
twice* if they have two. Counted at the fake: users who got no reply (the process died after the
commit and before the reply: the update counts, its answer is gone) and users answered twice.

Run: .venv/bin/python benchmarks/crash_runs.py [runs]; with PostgreSQL too:
     scripts/with-postgres.sh .venv/bin/python benchmarks/crash_runs.py [runs]
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.storage.engine import make_engine, upgrade  # noqa: E402
from bot.storage.schema import Base  # noqa: E402
from tests.telegram.fake_api import TOKEN, FakeBotApi  # noqa: E402

USERS = 200
KILL_AFTER = 60  # replies seen before the SIGKILL
SECRET = "crash-run-secret"
CMAS_BOT = ROOT / ".venv" / "bin" / "cmas-bot"
FIRST_USER = 500_000
FORWARDED = ("content-type", "x-telegram-bot-api-secret-token")


# The fake Bot API in its own process, with a control port ---------------------------------------
def serve_fake(port_out: Any) -> None:
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)  # killed bots drop their requests

    async def main() -> None:
        async with FakeBotApi() as api:
            async def users(request: web.Request) -> web.Response:
                for user_id in (await request.json())["ids"]:
                    api.user(user_id, f"User {user_id}")
                return web.json_response({})

            async def say(request: web.Request) -> web.Response:
                body = await request.json()
                ids = [api.say(api.user(u, f"User {u}"), body["text"]) for u in body["users"]]
                return web.json_response(ids)

            async def state(_request: web.Request) -> web.Response:
                replies: dict[int, int] = {}
                for call in api.made("sendMessage"):
                    if call.chat_id is not None:
                        replies[call.chat_id] = replies.get(call.chat_id, 0) + 1
                return web.json_response({"replies": replies, "unconfirmed": api.unconfirmed})

            app = web.Application()
            app.router.add_post("/users", users)
            app.router.add_post("/say", say)
            app.router.add_get("/state", state)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            port_out.send((api.base_url, runner.addresses[0][1]))
            await asyncio.Event().wait()

    asyncio.run(main())


@dataclass
class Tally:
    lost: int
    twice: int
    unanswered: int
    answered_twice: int
    seconds: float

    def line(self, name: str) -> str:
        return (f"{name}: lost {self.lost}, applied twice {self.twice}; unanswered {self.unanswered}, "
                f"answered twice {self.answered_twice}; {self.seconds:.1f} s")


class Harness:
    def __init__(self, control: aiohttp.ClientSession, base_url: str, folder: Path) -> None:
        self.control, self.base_url, self.folder = control, base_url, folder
        self.users = itertools.count(FIRST_USER)
        self.bots = itertools.count(1)

    async def state(self) -> dict[str, Any]:
        async with self.control.get("/state") as response:
            result: dict[str, Any] = await response.json()
            return result

    async def replies(self, users: list[int]) -> int:
        seen = (await self.state())["replies"]
        return sum(1 for u in users if str(u) in seen)

    async def start_bot(self, database_url: str, **env: str) -> asyncio.subprocess.Process:
        """`cmas-bot run`, once it says it is receiving updates."""
        log = self.folder / f"bot-{next(self.bots)}.log"
        full = {**{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))},
                "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": self.base_url,
                "DATABASE_URL": database_url, "LOG_LEVEL": "INFO", **env}
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                str(CMAS_BOT), "run", env=full, cwd=self.folder, stdin=asyncio.subprocess.DEVNULL,
                stdout=out, stderr=out)
        await until(lambda: _contains(log, "telegram: @"), 60, f"{log} to say it started")
        return process

    async def tally(self, database_url: str, users: list[int], started: float) -> Tally:
        engine = make_engine(database_url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(text(
                    "SELECT l.user_id, count(p.id) FROM learners l LEFT JOIN prompts p "
                    "ON p.learner_id = l.id GROUP BY l.user_id"))
                prompts = {int(user_id): n for user_id, n in rows}
        finally:
            await engine.dispose()
        replies = (await self.state())["replies"]
        return Tally(lost=sum(1 for u in users if prompts.get(u, 0) == 0),
                     twice=sum(1 for u in users if prompts.get(u, 0) > 1),
                     unanswered=sum(1 for u in users if replies.get(str(u), 0) == 0),
                     answered_twice=sum(1 for u in users if replies.get(str(u), 0) > 1),
                     seconds=time.monotonic() - started)

    async def settled(self, users: list[int], polling: bool) -> None:
        """Waits until no reply has come for 3 s (and, polling, Telegram holds nothing unconfirmed)."""
        last, quiet_since = -1, time.monotonic()
        while time.monotonic() - quiet_since < 3:
            state = await self.state()
            count = sum(1 for u in users if str(u) in state["replies"])
            if count != last or (polling and state["unconfirmed"]):
                last, quiet_since = count, time.monotonic()
            await asyncio.sleep(0.2)


async def until(check: Callable[[], Awaitable[bool] | bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while True:
        result = check()
        if await result if isinstance(result, Awaitable) else result:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {within:.0f} s for {what}")
        await asyncio.sleep(0.05)


def _contains(path: Path, marker: str) -> bool:
    return path.exists() and marker in path.read_text(errors="replace")


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)


# The scenarios ----------------------------------------------------------------------------------
async def polling_run(h: Harness, database_url: str) -> Tally:
    users = [next(h.users) for _ in range(USERS)]
    bot = await h.start_bot(database_url)
    started = time.monotonic()
    await h.control.post("/say", json={"users": users, "text": "/quiz"})
    await until(lambda: _at_least(h, users, KILL_AFTER), 60, f"{KILL_AFTER} replies")
    os.kill(bot.pid, signal.SIGKILL)
    await bot.wait()
    bot = await h.start_bot(database_url)
    await h.settled(users, polling=True)
    await stop(bot)
    return await h.tally(database_url, users, started)


async def webhook_run(h: Harness, database_url: str) -> Tally:
    users = [next(h.users) for _ in range(USERS)]
    await h.control.post("/users", json={"ids": users})
    ports = [_free_port(), _free_port()]
    bots = [await h.start_bot(database_url, TELEGRAM_WEBHOOK_URL="https://bot.example.test/hook",
                              TELEGRAM_WEBHOOK_LISTEN=f"127.0.0.1:{port}", TELEGRAM_WEBHOOK_SECRET=SECRET)
            for port in ports]
    async with aiohttp.ClientSession() as http:
        proxy = await _round_robin(http, ports)
        started = time.monotonic()
        sending = asyncio.create_task(_play_telegram(http, proxy, users))
        await until(lambda: _at_least(h, users, KILL_AFTER), 60, f"{KILL_AFTER} replies")
        os.kill(bots[0].pid, signal.SIGKILL)
        await bots[0].wait()
        await asyncio.wait_for(sending, 120)
        await h.settled(users, polling=False)
        await stop(bots[1])
    return await h.tally(database_url, users, started)


async def _at_least(h: Harness, users: list[int], count: int) -> bool:
    return await h.replies(users) >= count


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _round_robin(http: aiohttp.ClientSession, ports: list[int]) -> int:
    """A proxy that sends each request to the next instance in turn; 502 if that one is down."""
    turn = itertools.cycle(ports)

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED}
        try:
            async with http.post(f"http://127.0.0.1:{next(turn)}/hook", data=body,
                                 headers=headers) as response:
                return web.Response(status=response.status)
        except aiohttp.ClientError:
            return web.Response(status=502)

    app = web.Application()
    app.router.add_post("/hook", forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return port


async def _play_telegram(http: aiohttp.ClientSession, proxy: int, users: list[int]) -> None:
    """Each user's /quiz as Telegram sends webhooks: up to 40 at once, again until one gets a 200."""
    in_flight = asyncio.Semaphore(40)

    async def deliver(update_id: int, user: int) -> None:
        person = {"id": user, "is_bot": False, "first_name": f"User {user}"}
        update = {"update_id": update_id, "message": {
            "message_id": 1, "date": int(time.time()), "from": person, "text": "/quiz",
            "chat": {"id": user, "type": "private", "first_name": person["first_name"]},
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}
        while True:
            async with in_flight:
                try:
                    async with http.post(f"http://127.0.0.1:{proxy}/hook", json=update,
                                         headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
            await asyncio.sleep(0.2)

    await asyncio.gather(*(deliver(users[0] + i, user) for i, user in enumerate(users)))


# Databases --------------------------------------------------------------------------------------
async def fresh_postgres(url: str) -> str:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()
    return url


async def main(runs: int) -> None:
    postgres = os.environ.get("TEST_POSTGRES_URL")
    receive, send = multiprocessing.get_context("spawn").Pipe(duplex=False)
    fake = multiprocessing.get_context("spawn").Process(target=serve_fake, args=(send,), daemon=True)
    fake.start()
    totals: dict[str, list[Tally]] = {}

    def record(run: int, name: str, tally: Tally) -> None:
        totals.setdefault(name, []).append(tally)
        print(f"run {run + 1} {tally.line(name)}", flush=True)

    try:
        base_url, control_port = receive.recv()
        with tempfile.TemporaryDirectory() as folder:
            async with aiohttp.ClientSession(f"http://127.0.0.1:{control_port}") as control:
                h = Harness(control, base_url, Path(folder))
                if postgres:
                    await asyncio.to_thread(upgrade, postgres)
                for run in range(runs):
                    sqlite = f"sqlite+aiosqlite:///{folder}/crash-{run}.sqlite3"
                    await asyncio.to_thread(upgrade, sqlite)
                    record(run, "polling, SQLite", await polling_run(h, sqlite))
                    if postgres:
                        record(run, "polling, PostgreSQL",
                               await polling_run(h, await fresh_postgres(postgres)))
                        record(run, "2 webhooks, PostgreSQL",
                               await webhook_run(h, await fresh_postgres(postgres)))
    finally:
        fake.terminate()
    print(f"\n{USERS} updates a run, SIGKILL after {KILL_AFTER} replies; totals over {runs} runs:")
    for name, tallies in totals.items():
        print(f"{name}: lost {sum(t.lost for t in tallies)}, applied twice {sum(t.twice for t in tallies)}, "
              f"unanswered {sum(t.unanswered for t in tallies)}, "
              f"answered twice {sum(t.answered_twice for t in tallies)}")
    if not postgres:
        print("(no TEST_POSTGRES_URL: the PostgreSQL and webhook runs were skipped)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
