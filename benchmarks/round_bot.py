"""The bot side of benchmarks/round_at_scale.py, in a process of its own, as in production: the fake
platform and the scripted members then do not take the bot's CPU.

Run by round_at_scale.py: round_bot.py telegram DB_URL TOKEN BASE_URL | discord DB_URL TOKEN API GATEWAY;
by discord_throughput.py also as discord-canned (the core answering from memory, benchmarks/canned_core.py).
Prints "ready" once started; stops when its standard input closes, printing the presses' batches.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.discord_bot.frontend import DiscordConfig, DiscordFrontend  # noqa: E402
from adapters.telegram import TelegramConfig, TelegramFrontend  # noqa: E402
from benchmarks.canned_core import CannedCore  # noqa: E402
from bot.content.bank import load_bank  # noqa: E402
from bot.ports.clock import SystemClock  # noqa: E402
from bot.storage.engine import make_engine  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from tests.round_scenario import BatchCounter, make_core  # noqa: E402


async def main(platform: str, url: str, token: str, *endpoints: str) -> None:
    engine = make_engine(url)
    bank = load_bank(ROOT / "content" / "questions")
    core = CannedCore(Store(engine), bank, SystemClock()) if platform == "discord-canned" \
        else make_core(Store(engine), bank)
    batches = BatchCounter(core)
    frontend = (TelegramFrontend(core, TelegramConfig(token, base_url=endpoints[0], poll_timeout=1.0))
                if platform == "telegram"
                else DiscordFrontend(core, DiscordConfig(token, None, endpoints[0], endpoints[1])))
    await frontend.start()
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await frontend.stop()
    await engine.dispose()
    print(f"batches {batches.count}", flush=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main(*sys.argv[1:]))
