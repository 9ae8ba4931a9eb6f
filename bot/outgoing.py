"""Outgoing messages: one neutral value that each adapter renders within its platform's limits."""

from __future__ import annotations

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
class Outgoing:
    """A message for the chat the event came from.

    `replace` asks the adapter to edit the message whose button was pressed instead of sending a new
    one; `private` marks a reply meant for the presser alone (a callback alert, an ephemeral reply);
    `forgotten` says the sender's data was just deleted (/forgetme), so an adapter deletes what it
    keeps about them too (the console's saved charts).
    """

    text: str
    choices: tuple[Choice, ...] = ()
    image: Image | None = None
    replace: bool = False
    private: bool = False
    forgotten: bool = False
    # Personal in a group: the adapter adds a way to open the private chat (Telegram: a deep link).
    open_private: bool = False
