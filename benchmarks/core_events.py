"""What the core alone spends on one event, without an adapter: a newcomer's first /quiz, a returning
learner's /quiz, and an answer press, one after another, as CPU per event; beside them, in the same
run, an empty transaction (the floor every event pays) on the same store.

N learners each send /quiz and press A (newcomers), then do it again (returning); each event carries
an update id, so the delivery ledger is written as it is for a platform's updates. The real question
bank; SQLite, and PostgreSQL too with TEST_POSTGRES_URL set.

Run: scripts/with-postgres.sh .venv/bin/python benchmarks/core_events.py [N] [runs]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.both_databases import Measure, empty_store, on_both_databases  # noqa: E402
from bot.content.bank import load_bank  # noqa: E402
from bot.core import StudyBot  # noqa: E402
from bot.events import Address, ButtonPressed, Chat, Command, Person  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from tests.round_scenario import make_core  # noqa: E402

KINDS = ("newcomer /quiz", "newcomer press", "returning /quiz", "returning press", "empty transaction")


async def quiz_and_press(core: StudyBot, users: range, tag: str) -> tuple[float, float]:
    """Each user's /quiz, then each user's press on it: CPU ms per event of each kind."""
    questions = []
    started = time.process_time()
    for user in users:
        person, chat = Person("bench", str(user), f"User {user}"), Chat(Address("bench", str(user)), False)
        [question] = await core.handle(Command(person, chat, "quiz", update_id=f"{tag}q{user}"))
        questions.append((person, chat, question.choices[0].payload))
    asked = time.process_time()
    for person, chat, payload in questions:
        await core.handle(ButtonPressed(person, chat, payload, update_id=f"{tag}p{person.user_id}"))
    pressed = time.process_time()
    return (asked - started) / len(users) * 1000, (pressed - asked) / len(users) * 1000


async def empty_transactions(store: Store, count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        async with store.transaction():
            pass
    return (time.process_time() - started) / count * 1000


async def one_run(url: str, n: int, run: int) -> dict[str, float]:
    store = await empty_store(url)
    try:
        core = make_core(store, load_bank(ROOT / "content" / "questions"))
        await quiz_and_press(core, range(10_000, 10_050), f"w{run}")  # warm-up: caches, statements
        newcomer = await quiz_and_press(core, range(n), f"n{run}")
        returning = await quiz_and_press(core, range(n), f"r{run}")
        empty = await empty_transactions(store, n)
        return dict(zip(KINDS, (*newcomer, *returning, empty), strict=True))
    finally:
        await store.engine.dispose()


def measure(runs: int) -> Measure:
    async def go(database: str, url: str, n: int) -> None:
        samples = [await one_run(url, n, run) for run in range(runs)]
        print(f"\n{database}, {n} learners, medians of {runs} runs (CPU per event):")
        empty = statistics.median(s["empty transaction"] for s in samples)
        for kind in KINDS:
            value = statistics.median(s[kind] for s in samples)
            print(f"  {kind:18} {value:6.2f} ms  {value / empty:5.1f}x an empty transaction")
    return go


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    asyncio.run(on_both_databases(measure(runs), n, "core_events.sqlite3"))


if __name__ == "__main__":
    main()
