"""The one kind of button the bot sends: its custom_id is `cmas:` plus the core's payload.

A `DynamicItem` registered at login matches the custom_id of any message, old or new, so buttons
keep working after a restart without keeping views in memory. The payload is passed to the core
untouched: the core decodes and checks it, so a forged one only earns a polite refusal.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, runtime_checkable

import discord

from adapters.cleaning import clean

PREFIX = "cmas:"
CUSTOM_ID_MAX = 100
LABEL_MAX = 80
TEMPLATE = re.compile(re.escape(PREFIX) + rf"(?P<payload>.{{1,{CUSTOM_ID_MAX - len(PREFIX)}}})")


@runtime_checkable
class PressHandler(Protocol):
    """The client that receives presses (the adapter's StudyClient)."""

    async def handle_press(self, interaction: discord.Interaction[Any], payload: str) -> None: ...


class CoreButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=TEMPLATE):
    def __init__(self, label: str, payload: str) -> None:
        self.payload = payload
        super().__init__(discord.ui.Button(label=label[:LABEL_MAX], custom_id=PREFIX + payload,
                                           style=discord.ButtonStyle.primary))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any], match: re.Match[str], /) -> CoreButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(label or "", match["payload"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        client = interaction.client
        assert isinstance(client, PressHandler), "CoreButton is registered by StudyClient only"
        await client.handle_press(interaction, clean(self.payload))
