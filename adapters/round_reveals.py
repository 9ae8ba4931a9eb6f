"""The loop every platform frontend runs: close this platform's group questions when their time is up
and post what the core returns (a reveal, the running top 5, the next question or the final board).

It sleeps until the next question's deadline (plus GRACE, for presses made just before it that are
still on their way in) rather than polling, so a reveal follows its close within a fraction of a
second; when nothing is due it looks again every `every` seconds, for rounds another instance opened
and mock exams that time out.
"""

from __future__ import annotations

import asyncio
import logging

from bot.core import StudyBot
from bot.events import Address
from bot.outgoing import Outgoing
from bot.ports.delivery import Messenger, RecipientUnreachable, RetryLater

log = logging.getLogger(__name__)

GRACE = 0.3  # seconds after a deadline: a press stamped just before it is handed to the core by then
FAILURE_PAUSE_MAX = 60.0  # the longest wait between tries while the database is unreachable


async def reveal_rounds_forever(study: StudyBot, messenger: Messenger, every: float) -> None:
    """Closes due questions and posts them, for ever. Closing is settled in the database, so several
    instances reveal each question once."""
    pause = every
    while True:
        try:
            await asyncio.sleep(await _until_next_close(study, messenger.platform, every))
            reveals = await study.close_due_rounds(messenger.platform)
            pause = every
        except Exception:
            log.exception("closing due %s rounds failed; trying again in %.1f s", messenger.platform, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, FAILURE_PAUSE_MAX)
            continue
        by_chat: dict[Address, list[Outgoing]] = {}
        for address, reveal in reveals:
            by_chat.setdefault(address, []).append(reveal)
        await asyncio.gather(*(_post_in_order(messenger, address, posts)
                               for address, posts in by_chat.items()))


async def _until_next_close(study: StudyBot, platform: str, every: float) -> float:
    closes = await study.next_round_close(platform)
    if closes is None:
        return every
    return min(every, max(0.0, (closes - study.clock.now()).total_seconds() + GRACE))


async def _post_in_order(messenger: Messenger, address: Address, posts: list[Outgoing]) -> None:
    """One chat's posts in order (never a question before the reveal it follows); chats side by
    side, and one failed post never costs another chat its reveal."""
    for post in posts:
        try:
            await messenger.send(address, post)
        except (RecipientUnreachable, RetryLater) as exc:
            log.warning("round post for %s chat %s not delivered: %r", address.platform,
                        address.chat_id, exc)
        except Exception:
            log.exception("round post for %s chat %s failed", address.platform, address.chat_id)
