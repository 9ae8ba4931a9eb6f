"""Incoming events: what an adapter tells the core a person did, stripped of platform detail.

A button press is never folded into text: the core must tell a press from a typed letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Address:
    """Where a message can be delivered later: enough for the scheduler to reach a chat."""

    platform: str
    chat_id: str
    thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """The learner behind an event, identified per platform."""

    platform: str
    user_id: str
    display_name: str


@dataclass(frozen=True, slots=True)
class Chat:
    address: Address
    is_group: bool
    title: str = ""


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command. `is_admin` is the adapter's answer to "may this person change the group's
    settings?", asked only for the core's ADMIN_COMMANDS (Telegram chat admin, Discord Manage Server)."""

    person: Person
    chat: Chat
    name: str
    args: tuple[str, ...] = ()
    is_admin: bool = False
    update_id: str | None = None  # see ButtonPressed
    made_at: datetime | None = None  # see ButtonPressed


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    """`update_id` names this delivery, unique per platform (Telegram: `<bot id>:<update id>`,
    Discord: the interaction id); a platform that delivers it again gets no second effect."""

    person: Person
    chat: Chat
    payload: str
    update_id: str | None = None
    # When the platform handed the press over (Telegram: the getUpdates answer or webhook request that
    # brought it; Discord: the interaction's creation). A group question's deadline is judged against
    # it, so a press made in time counts however far behind the bot is. None: when it is handled.
    made_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TextMessage:
    person: Person
    chat: Chat
    text: str
    update_id: str | None = None  # see ButtonPressed
    made_at: datetime | None = None  # see ButtonPressed


Event = Command | ButtonPressed | TextMessage


def parse_command(text: str, bot_username: str | None = None) -> tuple[str, tuple[str, ...]] | None:
    """Splits `/name@Bot arg1 arg2` into a lowercase name and its arguments.

    Returns None for text that is no command, or a command addressed to another bot in a group.
    """
    parts = text.strip().split()
    if not parts or not parts[0].startswith("/") or len(parts[0]) < 2:
        return None
    name, _, target = parts[0][1:].partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return name.lower(), tuple(parts[1:])
