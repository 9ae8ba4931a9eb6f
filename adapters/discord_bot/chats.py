"""Who and where an interaction is, in the core's terms.

A private chat's id is the user's id: a DM channel is opened from it when the scheduler needs one.
A server's chat id is `guild:<id>`. Personal commands used in a server (`/stats`, `/daily`, ...)
run in the learner's private chat and answer ephemerally, so reminders can reach them by DM later.
"""

from __future__ import annotations

from typing import Any

import discord

from adapters.cleaning import clean
from bot.events import Address, Chat, Person

PLATFORM = "discord"
GUILD_PREFIX = "guild:"
# Commands that act on the server's group (visible to the channel); every other one is personal.
GROUP_COMMANDS = frozenset({"quiz", "round", "leaderboard", "groupsettings", "groupreport"})


def person(user: discord.User | discord.Member) -> Person:
    return Person(PLATFORM, str(user.id), clean(user.display_name))


def private_chat(user: discord.User | discord.Member) -> Chat:
    return Chat(Address(PLATFORM, str(user.id)), is_group=False)


def guild_chat(guild_id: int, title: str) -> Chat:
    return Chat(Address(PLATFORM, f"{GUILD_PREFIX}{guild_id}"), is_group=True, title=clean(title))


def guild_id_of(address: Address) -> int | None:
    """The server behind a group address, or None for a private (user) address."""
    rest = address.chat_id.removeprefix(GUILD_PREFIX)
    return int(rest) if rest != address.chat_id and rest.isdigit() else None


def manages_server(permissions: discord.Permissions) -> bool:
    """A server's group admin: Administrator or Manage Server."""
    return permissions.administrator or permissions.manage_guild


def _server(interaction: discord.Interaction[Any]) -> Chat | None:
    if interaction.guild_id is None:
        return None
    guild = interaction.guild
    return guild_chat(interaction.guild_id, (guild.name if guild is not None else None) or "")


def command_chat(interaction: discord.Interaction[Any], name: str) -> Chat:
    server = _server(interaction) if name in GROUP_COMMANDS else None
    return server or private_chat(interaction.user)


def press_chat(interaction: discord.Interaction[Any]) -> Chat:
    """A button on a server message belongs to the server's group; one on a DM or on an ephemeral
    message (a personal flow started in a server) belongs to the presser's private chat."""
    message = interaction.message
    if message is not None and message.flags.ephemeral:
        return private_chat(interaction.user)
    return _server(interaction) or private_chat(interaction.user)
