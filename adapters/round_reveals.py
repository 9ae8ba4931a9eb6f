"""The loop every platform frontend runs: close this platform's group rounds whose time is up and
post what the core returns (a reveal, the running top 5, the next question or the final board)."""

from __future__ import annotations

import asyncio
import logging

from bot.core import StudyBot
from bot.events import Address
from bot.outgoing import Outgoing
from bot.ports.delivery import Messenger, RecipientUnreachable, RetryLater

log = logging.getLogger(__name__)


async def reveal_rounds_forever(study: StudyBot, messenger: Messenger, every: float) -> None:
    """Every `every` seconds, closes due rounds and posts them. Closing is settled in the database,
    so several instances reveal each round once."""
    while True:
        await asyncio.sleep(every)
        try:
            reveals = await study.close_due_rounds(messenger.platform)
        except Exception:
            log.exception("closing due %s rounds failed; trying again in %.1f s", messenger.platform, every)
            continue
        by_chat: dict[Address, list[Outgoing]] = {}
        for address, reveal in reveals:
            by_chat.setdefault(address, []).append(reveal)
        await asyncio.gather(*(_post_in_order(messenger, address, posts)
                               for address, posts in by_chat.items()))


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
