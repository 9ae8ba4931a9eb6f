"""A live round in a big group, as issue 19 describes it, on SQLite and PostgreSQL.

Telegram: 5,000 members (half never opened a private chat with the bot), a 30-second round question,
1,000 members pressing at random instants over the 10 s that end 2 s before the close, one 429 on
answerCallbackQuery and on editMessageText mid-burst, the fake Bot API holding the group to 20
messages a minute. Discord: 3,000 members, the same 1,000 presses through the fake gateway. The
scenario itself is tests/round_scenario.py (its 50-press version runs in the suite).

The bot runs in a process of its own (benchmarks/round_bot.py), as in production. Printed per
platform and database: presses counted and refused, acknowledgement p50/p99 (Discord: the
verdict's delay after the press), group posts that are not the round's own, private messages, the
reveal's delay after the close, and how many transactions the presses took. A baseline from the same
run: the core alone handling the same 1,000 presses one at a time, a transaction each, printed as
presses per second next to the same presses submitted at once and graded in sets.

Run: scripts/with-postgres.sh .venv/bin/python benchmarks/round_at_scale.py [presses]
(without TEST_POSTGRES_URL only SQLite runs)
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import random
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from adapters.discord_bot.frontend import DiscordConfig  # noqa: E402
from adapters.telegram import TelegramConfig  # noqa: E402
from benchmarks.both_databases import fresh_store  # noqa: E402
from bot.content.bank import load_bank  # noqa: E402
from bot.core import StudyBot  # noqa: E402
from bot.domain.questions import Bank  # noqa: E402
from bot.events import Address, ButtonPressed, Chat, Command, Person  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from tests.discord.fake_discord import FakeDiscord  # noqa: E402
from tests.round_scenario import Scenario, add_members, discord_round, make_core, telegram_round  # noqa: E402


def store_url(store: Store) -> str:
    """The database URL, password included, for the bot's own process."""
    return store.engine.url.render_as_string(hide_password=False)


async def core_only(url: str | None, bank: Bank, presses: int, batched: bool) -> float:
    """The same presses on one round question handled by the core alone, as fast as they go, in
    presses per second: one at a time, each a set of one in a transaction of its own (the baseline),
    or submitted at once and graded in sets (bot.rounds.presses)."""
    async with fresh_store(url) as store:
        core = make_core(store, bank)
        chat = Chat(Address("bench", "-1"), is_group=True)
        await add_members(core.store, "bench", "-1", range(10_000, 10_000 + presses), 300, core.clock.now())
        [question] = await core.handle(Command(Person("bench", "1", "Organiser"), chat, "round", ("1",)))
        data = question.choices[0].payload
        events = [ButtonPressed(Person("bench", str(10_000 + i), f"User {10_000 + i}"), chat, data,
                                update_id=f"b{i}") for i in range(presses)]
        started = time.perf_counter()
        if batched:
            await asyncio.gather(*(core.process(event) for event in events))
        else:
            for event in events:
                await core.process(event)
        return presses / (time.perf_counter() - started)


async def lock_waits(store: Store, stop: asyncio.Event) -> int:
    """PostgreSQL only: the most sessions seen waiting on a lock at once, sampled every 50 ms."""
    most = 0
    async with store.engine.connect() as conn:
        while not stop.is_set():
            waiting = (await conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"))).scalar_one()
            most = max(most, int(waiting))
            await conn.commit()
            await asyncio.sleep(0.05)
    return most


class InChild:
    """Runs the bot (benchmarks/round_bot.py) in a process of its own on the scenario's database, as
    in production, so the fake platform and the scripted members do not share its CPU."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.batches: int | None = None

    @asynccontextmanager
    async def __call__(self, _core: StudyBot, config: TelegramConfig | DiscordConfig) -> AsyncIterator[None]:
        if isinstance(config, TelegramConfig):
            args = ["telegram", self.url, config.token, str(config.base_url)]
        else:
            args = ["discord", self.url, config.token, str(config.api_base_url), str(config.gateway_url)]
        child = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "benchmarks" / "round_bot.py"), *args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        assert child.stdin is not None and child.stdout is not None
        if (await child.stdout.readline()).strip() != b"ready":
            raise RuntimeError("the bot process did not start")
        try:
            yield
        finally:
            child.stdin.close()
            said = (await child.stdout.read()).decode().split()
            await child.wait()
            self.batches = int(said[-1]) if said[-2:-1] == ["batches"] else None


async def scenario(url: str | None, bank: Bank, presses: int) -> None:
    label = "PostgreSQL" if url else "SQLite"
    for platform in ("telegram", "discord"):
        async with fresh_store(url) as store:
            core: StudyBot = make_core(store, bank)
            bot = InChild(store_url(store))
            stop = asyncio.Event()
            waits = asyncio.create_task(lock_waits(store, stop)) if url else None
            if platform == "telegram":
                outcome = await telegram_round(core, Scenario(5000, presses, 10.0, 2.0, 30), bot)
            else:
                fake = FakeDiscord()
                await fake.start()
                try:
                    outcome = await discord_round(core, fake, Scenario(3000, presses, 10.0, 2.0, 30), bot)
                finally:
                    await fake.stop()
            outcome = dataclasses.replace(outcome, batches=bot.batches)
            stop.set()
            most_waiting = await waits if waits else None
        print(f"\n{platform}, {label}:")
        for line in outcome.lines():
            print("  " + line)
        if most_waiting is not None:
            print(f"  sessions waiting on a lock at once, at most: {most_waiting}")
    alone = await core_only(url, bank, presses, batched=False)
    together = await core_only(url, bank, presses, batched=True)
    print(f"\ncore only, {label}, {presses} presses on one question: one at a time "
          f"{alone:.0f}/s (baseline), batched {together:.0f}/s ({together / alone:.1f}x)")


async def main() -> None:
    presses = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    logging.basicConfig(level=logging.WARNING)
    bank = load_bank(ROOT / "content" / "questions")
    random.seed(1)
    await scenario(None, bank, presses)
    postgres = os.environ.get("TEST_POSTGRES_URL")
    if postgres:
        await scenario(postgres, bank, presses)
    else:
        print("\n(no TEST_POSTGRES_URL: the PostgreSQL runs were skipped)")


if __name__ == "__main__":
    asyncio.run(main())
