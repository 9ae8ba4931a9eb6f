"""What a button press costs through the Discord adapter, next to a bare discord.py handler.

Each bot runs in a process of its own against the fake Discord (tests/discord/fake_discord.py) in
this one, so the CPU a bot spends is its own: read from /proc before and after a burst of N presses
in private chats, once every press is answered. The study bot (the real adapter and core, on a fresh
SQLite file and, with TEST_POSTGRES_URL set, on PostgreSQL; and the adapter with a canned core,
benchmarks/canned_core.py, which splits the cost) is pressed on the questions its /quiz
showed each user (the /quiz is not counted); the bare client (benchmarks/discord_bare.py) is pressed on
a message with the same four buttons and answers as the adapter does, a deferral and an edit. Printed
per bot, as medians over the runs: CPU milliseconds per press and the ratio to the bare client.

Run: scripts/with-postgres.sh .venv/bin/python benchmarks/discord_throughput.py [N] [runs]
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.both_databases import fresh_store  # noqa: E402
from tests.discord.fake_discord import TOKEN, FakeDiscord, Message, user  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
FIRST_USER = 500_000
WARM_UP = 30


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of a process so far (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@asynccontextmanager
async def child(script: str, *args: str) -> AsyncIterator[int]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "benchmarks" / script), *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    if (await process.stdout.readline()).strip() != b"ready":
        raise RuntimeError(f"{script} did not start")
    try:
        yield process.pid
    finally:
        process.stdin.close()
        await process.wait()


async def questions_from_the_bot(fake: FakeDiscord, users: range) -> list[Message]:
    """Each user's /quiz in their private chat, and the question the bot answered with."""
    exchanges = [await fake.slash(user(u, f"User {u}"), "quiz") for u in users]
    return [await fake.reply(exchange) for exchange in exchanges]


def bare_questions(fake: FakeDiscord, users: range) -> list[Message]:
    """A message with four buttons in each user's private chat, for the bare client to answer."""
    buttons = [{"type": 1, "components": [{"type": 2, "style": 2, "label": x, "custom_id": x}
                                          for x in "ABCD"]}]
    return [fake._post(fake.dm_channel(u), {"content": "Question", "components": buttons}) for u in users]


async def press_all(fake: FakeDiscord, pid: int, questions: list[Message], first: int) -> float:
    """Presses A on every question at once; the bot's CPU seconds until each press was answered."""
    before = cpu_seconds(pid)
    exchanges = await asyncio.gather(*(fake.press(user(first + i, f"User {first + i}"), q, "A")
                                       for i, q in enumerate(questions)))
    await fake.until(lambda: all(e.original_edits > 0 for e in exchanges), within=120)
    return cpu_seconds(pid) - before


async def measure(fake: FakeDiscord, name: str, n: int, url: str | None) -> float:
    """CPU milliseconds per press of one bot: "bare", or round_bot.py's "discord" or "discord-canned"."""
    users, warm = range(FIRST_USER, FIRST_USER + n), range(FIRST_USER + n, FIRST_USER + n + WARM_UP)
    if name == "bare":
        async with child("discord_bare.py", TOKEN, fake.api_url, fake.gateway_url) as pid:
            await press_all(fake, pid, bare_questions(fake, warm), warm.start)
            return await press_all(fake, pid, bare_questions(fake, users), users.start) / n * 1000
    async with fresh_store(url) as store:
        address = store.engine.url.render_as_string(hide_password=False)
        async with child("round_bot.py", name, address, TOKEN, fake.api_url, fake.gateway_url) as pid:
            await press_all(fake, pid, await questions_from_the_bot(fake, warm), warm.start)
            questions = await questions_from_the_bot(fake, users)
            return await press_all(fake, pid, questions, users.start) / n * 1000


async def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    logging.basicConfig(level=logging.WARNING)
    bots: dict[str, str | None] = {"bare": None, "adapter, canned core": None, "adapter, SQLite": None}
    if postgres := os.environ.get("TEST_POSTGRES_URL"):
        bots["adapter, PostgreSQL"] = postgres
    results: dict[str, list[float]] = {name: [] for name in bots}
    for run in range(runs):
        for name, url in bots.items():
            fake = FakeDiscord()
            await fake.start()
            try:
                kind = "bare" if name == "bare" else "discord-canned" if "canned" in name else "discord"
                per_press = await measure(fake, kind, n, url)
            finally:
                await fake.stop()
            results[name].append(per_press)
            print(f"run {run + 1} {name}: {per_press:.2f} ms CPU per press", flush=True)
    bare = statistics.median(results["bare"])
    print(f"\nmedians over {runs} runs, {n} presses at once in private chats:")
    for name, values in results.items():
        median = statistics.median(values)
        print(f"  {name:22}{median:7.2f} ms CPU per press  {median / bare:5.2f}x the bare client")
    print("target: <= 1.5x")


if __name__ == "__main__":
    asyncio.run(main())
