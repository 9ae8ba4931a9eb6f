"""Where the time of one update goes, by layer: a /quiz and an answer press through the whole
Telegram stack (the real adapter and core; the fake Bot API in a child process, as in
benchmarks/telegram_throughput.py), under cProfile, on SQLite and, with TEST_POSTGRES_URL set, on
PostgreSQL.

Printed per kind of update: the profiled CPU time per update in each layer (functions' own time,
grouped by the package they live in) and its share, and the SQL statements per update. cProfile adds
a cost to every Python call, so the layers made of many small calls (SQLAlchemy, PTB) look bigger
than they run; the shares are for comparing layers, the throughput benchmark for absolute cost.
The driver's polling of the fake (a few requests a second) is in the HTTP client's line. cProfile sees
only the event loop's thread, so the CPU every other thread of the process spent in the same burst is
printed beside it (aiohttp's trust_env once spent about 15 % of the bot's CPU there, unseen).

Run: scripts/with-postgres.sh .venv/bin/python benchmarks/profile_update.py [N]
"""

from __future__ import annotations

import asyncio
import cProfile
import logging
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.telegram_throughput import KINDS, WARM_UP, Driver, fake_in_child, quiz_bot  # noqa: E402

IDLE = "waiting for I/O (idle, not counted)"
# (layer, what a function's file path or name contains), first match wins.
LAYERS = (
    (IDLE, ("select.epoll", "'select' of")),
    ("database driver (sqlite3, asyncpg)", ("sqlite3", "asyncpg", "inloop_sqlite", "_Cursor.execute")),
    ("storage repositories (bot/storage)", (str(ROOT / "bot" / "storage"),)),
    ("core: features and domain (bot/)", (str(ROOT / "bot"),)),
    ("adapter (adapters/)", (str(ROOT / "adapters"),)),
    ("SQLAlchemy", ("/sqlalchemy/",)),
    ("FSRS", ("/fsrs/",)),
    ("python-telegram-bot", ("/telegram/",)),
    ("HTTP client (aiohttp, yarl, multidict)", ("/aiohttp/", "/yarl/", "/multidict/")),
    ("JSON", ("json",)),
    ("greenlet (SQLAlchemy's async bridge)", ("greenlet",)),
)
OTHER = "asyncio and the rest"


def layer_of(filename: str, function: str) -> str:
    where = f"{filename} {function}"
    return next((name for name, marks in LAYERS if any(m in where for m in marks)), OTHER)


async def profile(base_url: str, control_port: int, url: str | None, n: int) -> None:
    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    event.listen(Engine, "before_cursor_execute", count)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{control_port}", timeout=120) as control, \
            quiz_bot(url)(base_url):
        driver = Driver(control)
        warm = driver.users(WARM_UP)
        for kind in KINDS:
            await driver.send(warm, kind)
        users = driver.users(n)
        for kind in KINDS:
            profiler, statements[0] = cProfile.Profile(), 0
            process, loop_thread = time.process_time(), time.thread_time()
            profiler.enable()
            await driver.send(users, kind)
            profiler.disable()
            others = (time.process_time() - process) - (time.thread_time() - loop_thread)
            report(kind, pstats.Stats(profiler), n, statements[0] / n)
            print(f"  other threads of the process (not profiled): {max(others, 0.0) / n * 1000:.2f} ms "
                  "CPU per update")
    event.remove(Engine, "before_cursor_execute", count)


def report(kind: str, stats: pstats.Stats, n: int, statements: float) -> None:
    by_layer: dict[str, float] = {}
    for (filename, _line, function), (_cc, _nc, own, _cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        layer = layer_of(filename, function)
        by_layer[layer] = by_layer.get(layer, 0.0) + own
    idle = by_layer.pop(IDLE, 0.0)
    total = sum(by_layer.values())
    print(f"\n{kind}: {total / n * 1000:.2f} ms of profiled CPU per update, {statements:.1f} SQL statements"
          f" ({idle / n * 1000:.2f} ms idle in the I/O wait left out)")
    for layer, seconds in sorted(by_layer.items(), key=lambda item: -item[1]):
        print(f"  {layer:44}{seconds / n * 1000:7.2f} ms {seconds / total:6.1%}")
    rest = sorted(((own, f"{function} ({Path(filename).name})")
                   for (filename, _line, function), (_cc, _nc, own, _cum, _callers)
                   in stats.stats.items()  # type: ignore[attr-defined]
                   if layer_of(filename, function) == OTHER), reverse=True)[:3]
    print("  the rest, largest: " + "; ".join(f"{name} {own / n * 1000:.2f} ms" for own, name in rest))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    logging.basicConfig(level=logging.WARNING)
    with fake_in_child() as (base_url, control_port):
        for label, url in (("SQLite", None), ("PostgreSQL", os.environ.get("TEST_POSTGRES_URL"))):
            if label == "PostgreSQL" and url is None:
                print("\n[PostgreSQL] skipped: set TEST_POSTGRES_URL or run through scripts/with-postgres.sh")
                continue
            print(f"\n=== {label}, {n} users, each /quiz then a press, the updates of one kind at once")
            asyncio.run(profile(base_url, control_port, url, n))


if __name__ == "__main__":
    main()
