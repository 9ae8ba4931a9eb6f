"""Charts are drawn after the transaction that gathered their figures has ended.

A handler reads what a chart shows inside the event's transaction and returns a `Drawing`; the core
draws it here, in a worker thread, once the transaction is over. Drawn inside it, a /stats chart or a
Monday's batch of group reports held SQLite's write lock (and this process's queue of transactions)
for about 140 ms per chart. A chart that fails to draw leaves its message as text: the event is
already committed, so it is neither failed nor handled again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from bot.outgoing import Drawing, Image, Outgoing

log = logging.getLogger(__name__)


async def draw_all(replies: list[Outgoing]) -> list[Outgoing]:
    """The replies with each pending drawing drawn into its image."""
    return [reply if reply.drawing is None else await _drawn(reply, reply.drawing) for reply in replies]


async def _drawn(reply: Outgoing, drawing: Drawing) -> Outgoing:
    try:
        png = await asyncio.to_thread(drawing.draw)
    except Exception:
        log.exception("could not draw %s; the message goes as text", drawing.filename)
        return replace(reply, drawing=None)
    return replace(reply, image=Image(drawing.filename, png), drawing=None)
