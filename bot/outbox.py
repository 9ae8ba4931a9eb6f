"""Replies kept with a handled update until the adapter has delivered them.

A crash between an event's commit and the sending of its replies would otherwise lose them: the
platform redelivers the update, the ledger says it is done, and the learner hears nothing. The
replies are kept (as JSON, in the ledger row, in the event's own transaction) and a redelivery gets
them again; the adapter marks them delivered once sent, so at most a crash's worth is sent twice.
An image (the /stats chart) is not kept: a resent /stats comes as text.
"""

from __future__ import annotations

import json

from bot.outgoing import Choice, Outgoing

DELIVERED = ""


def encode(replies: list[Outgoing]) -> str:
    return json.dumps([{"text": r.text, "choices": [[c.label, c.payload] for c in r.choices],
                        "replace": r.replace, "private": r.private, "forgotten": r.forgotten,
                        "open_private": r.open_private} for r in replies])


def decode(kept: str | None) -> list[Outgoing]:
    """The kept replies; none when nothing is kept or they were delivered."""
    if not kept:
        return []
    return [Outgoing(r["text"], tuple(Choice(label, payload) for label, payload in r["choices"]),
                     replace=r["replace"], private=r["private"], forgotten=r["forgotten"],
                     open_private=r["open_private"]) for r in json.loads(kept)]
