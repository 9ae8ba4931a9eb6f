"""The port through which the scheduler (and round reveals) reach a chat on any platform.

Adapters implement `Messenger` and translate their SDK's errors into these two, so the core and the
scheduler handle every platform alike.
"""

from __future__ import annotations

from typing import Protocol

from bot.errors import PlatformRefused
from bot.events import Address
from bot.outgoing import Outgoing


class RecipientUnreachable(PlatformRefused):
    """The platform refuses delivery for good (bot blocked, DMs closed, chat gone)."""


class RetryLater(PlatformRefused):
    """The platform asks us to slow down; try again after `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Messenger(Protocol):
    platform: str

    async def send(self, address: Address, message: Outgoing) -> None:
        """Delivers one message, raising RecipientUnreachable or RetryLater as above."""
        ...

    async def administers(self, group: Address, user_id: str) -> bool:
        """Whether the user is an admin of the group chat now: False once they are not, have left
        it, or the bot has. Raises RetryLater as `send` does. A weekly group report names members
        who went quiet, so it is asked again before each one goes."""
        ...
