"""Replies kept with a handled update until the adapter has delivered them.

A crash between an event's commit and the sending of its replies would otherwise lose them: the
platform redelivers the update, the ledger says it is done, and the learner hears nothing. The
replies are kept (as JSON, in the ledger row, in the event's own transaction) and a redelivery gets
them again; the adapter marks them delivered once sent, so at most a crash's worth is sent twice.
An image (the /stats chart) is not kept: a resent /stats comes as text. Nor are documents (an
/export's files, up to megabytes each, in a ledger row kept two days): a resent export comes as its
text with a line saying to ask again for the files.
"""

from __future__ import annotations

import json

from bot.outgoing import Choice, Outgoing

DELIVERED = ""
FILES_NOT_KEPT = "(The files could not be sent again: send the command once more for them.)"


def lasting(replies: list[Outgoing]) -> list[Outgoing]:
    """The replies worth sending again: not a press's passing acknowledgement or a running count,
    which a redelivery long after would only confuse. Nothing lasting: nothing is kept, and the
    adapter has nothing to mark delivered (a round press costs no second transaction)."""
    return [r for r in replies if not (r.fleeting or r.skippable)]


def encode(replies: list[Outgoing]) -> str:
    return json.dumps([{"text": f"{r.text}\n{FILES_NOT_KEPT}" if r.documents else r.text,
                        "choices": [[c.label, c.payload] for c in r.choices],
                        "replace": r.replace, "private": r.private, "forgotten": r.forgotten,
                        "open_private": r.open_private, "fleeting": r.fleeting,
                        "skippable": r.skippable} for r in replies])


def decode(kept: str | None) -> list[Outgoing]:
    """The kept replies; none when nothing is kept or they were delivered."""
    if not kept:
        return []
    return [Outgoing(r["text"], tuple(Choice(label, payload) for label, payload in r["choices"]),
                     replace=r["replace"], private=r["private"], forgotten=r["forgotten"],
                     open_private=r["open_private"], fleeting=r.get("fleeting", False),
                     skippable=r.get("skippable", False)) for r in json.loads(kept)]
