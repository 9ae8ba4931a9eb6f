"""Outgoing messages: one neutral value that each adapter renders within its platform's limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Image:
    filename: str
    png: bytes


@dataclass(frozen=True, slots=True)
class Drawing:
    """A chart still to draw (`draw` returns its PNG). Drawing one takes a worker thread a tenth of a
    second or more, so it is drawn once the event's transaction has ended (bot.drawings), not while
    the database waits: on SQLite every other event would wait with it."""

    filename: str
    draw: Callable[[], bytes]


@dataclass(frozen=True, slots=True)
class Document:
    """A file sent after the message's text (an /export): a document on Telegram, an attachment on
    Discord, a saved file on the console."""

    filename: str
    data: bytes
    mime: str


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message for the chat the event came from.

    `replace` asks the adapter to edit the message whose button was pressed instead of sending a new
    one; `private` marks a reply meant for the presser alone (a callback alert, an ephemeral reply);
    `forgotten` says the sender's data was just deleted (/forgetme), so an adapter deletes what it
    keeps about them too (the console's saved charts and exports).
    """

    text: str
    choices: tuple[Choice, ...] = ()
    image: Image | None = None
    # The image still to draw: the core draws it into `image` before an adapter sees the reply.
    drawing: Drawing | None = None
    documents: tuple[Document, ...] = ()
    replace: bool = False
    private: bool = False
    forgotten: bool = False
    # Personal in a group: the adapter adds a way to open the private chat (Telegram: a deep link).
    open_private: bool = False
    # Only worth showing as the press's own acknowledgement (a round verdict): an adapter that has
    # already acknowledged the press without it drops it instead of messaging the presser.
    fleeting: bool = False
    # A running figure (a group question's answer count): the adapter may send it late, merge it
    # with newer ones, or skip it when the chat's message budget is short.
    skippable: bool = False


def files_within(message: Outgoing, limit: int, platform: str) -> Outgoing:
    """`message` as it is when each of its documents fits the platform's upload limit of `limit`
    bytes; otherwise one line saying so in its place, since half an export is no export."""
    too_big = next((d for d in message.documents if len(d.data) > limit), None)
    if too_big is None:
        return message
    return Outgoing(f"{too_big.filename} is {_megabytes(len(too_big.data))}, over the {_megabytes(limit)} "
                    f"{platform} allows for a file, so nothing was sent.", private=message.private)


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"
