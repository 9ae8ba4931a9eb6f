"""The discord.py client: the intents it needs, the answer buttons registered at login, and the
safety nets that make every interaction get an answer and no malformed event end the connection.
`ShardedStudyClient` is the same over some of the bot's shards, so large bots split servers between
processes (everything they share is in the database).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

import discord

from adapters.discord_bot.buttons import TEMPLATE, CoreButton
from adapters.discord_bot.commands import StudyTree
from adapters.discord_bot.interactions import STALE_BUTTON, Interaction, Interactions
from bot.core import APOLOGY

log = logging.getLogger(__name__)

RATE_LIMIT_WAIT_MAX = 30.0  # longer waits surface as RetryLater instead of blocking a push
ANSWER_DEADLINE = 2.0  # Discord says "This interaction failed" after 3 s without an answer


class StudyClient(discord.Client):
    """Only the `guilds` intent: answers come through slash commands and buttons, so the privileged
    message-content intent is never asked for."""

    def __init__(self, interactions: Interactions, **shards: Any) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions.none(),
                         max_ratelimit_timeout=RATE_LIMIT_WAIT_MAX, **shards)
        self.interactions = interactions
        self.tree = StudyTree(self, interactions)
        self.connected = asyncio.Event()
        self._watchdogs: set[asyncio.Task[Any]] = set()

    async def on_connect(self) -> None:
        self.connected.set()

    async def handle_press(self, interaction: Interaction, payload: str) -> None:
        await self.interactions.press(interaction, payload)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(CoreButton)
        _guard_parsers(self)

    async def on_interaction(self, interaction: Interaction) -> None:
        """Presses discord.py would drop in silence (not our custom_id, or not on the message
        pressed) are refused at once; anything else still unanswered near Discord's 3-second limit
        (say, a malformed option that discord.py fails to parse) gets an apology."""
        if interaction.type is discord.InteractionType.component and not _dispatchable(interaction):
            data: Mapping[str, Any] = interaction.data or {}
            log.warning("refused button %r from %s", data.get("custom_id"), interaction.user.id)
            await self.interactions.refuse(interaction, STALE_BUTTON)
            return
        if interaction.type not in (discord.InteractionType.application_command,
                                    discord.InteractionType.component):
            return
        watchdog = asyncio.current_task()
        assert watchdog is not None
        self._watchdogs.add(watchdog)
        try:
            await asyncio.sleep(ANSWER_DEADLINE)
        finally:
            self._watchdogs.discard(watchdog)
        if not interaction.response.is_done():
            log.error("interaction %s (%s) had no answer from its handler", interaction.id, interaction.data)
            await self.interactions.refuse(interaction, APOLOGY)

    async def close(self) -> None:
        for watchdog in self._watchdogs:
            watchdog.cancel()
        await super().close()


class ShardedStudyClient(StudyClient, discord.AutoShardedClient):
    """Runs `shard_ids` of `shard_count` shards (all of them without ids) in this process."""

    def __init__(self, interactions: Interactions, shard_count: int, shard_ids: list[int] | None) -> None:
        super().__init__(interactions, shard_count=shard_count, shard_ids=shard_ids)


def _dispatchable(interaction: Interaction) -> bool:
    """What discord.py needs to call a CoreButton: our template, on a button of the pressed message."""
    data: Mapping[str, Any] = interaction.data or {}
    custom_id = data.get("custom_id")
    if (data.get("component_type") != discord.ComponentType.button.value or not isinstance(custom_id, str)
            or TEMPLATE.fullmatch(custom_id) is None or interaction.message is None):
        return False
    return any(getattr(child, "custom_id", None) == custom_id
               for row in interaction.message.components for child in getattr(row, "children", ()))


def _guard_parsers(client: discord.Client) -> None:
    """discord.py parses gateway events inside its connection loop, so one malformed event would
    end the connection: each parser is wrapped to log and drop what it cannot parse instead."""
    parsers = client._connection.parsers
    for event, parse in list(parsers.items()):
        parsers[event] = _guarded(event, parse)


def _guarded(event: str, parse: Callable[[Any], None]) -> Callable[[Any], None]:
    def guarded(data: Any) -> None:
        try:
            parse(data)
        except Exception:
            log.exception("dropped a malformed %s event", event)
    return guarded
