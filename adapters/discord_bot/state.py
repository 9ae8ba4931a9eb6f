"""What the adapter remembers between runs, in the database (adapter_state), shared by every instance
and shard: whichever one closes a round posts its reveal in the round's channel.

Two facts: each server's round channel (the core keys a server's group by guild, so the reveal of a
round needs the channel it was posted in), and the hash of the slash-command definitions last synced
(Discord caps command creates per day, so we sync only when they change).
"""

from __future__ import annotations

from bot.core import StudyBot

PLATFORM = "discord"


class AdapterState:
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    async def commands_hash(self, target: str) -> str | None:
        return await self._get(f"commands:{target}")

    async def set_commands_hash(self, target: str, digest: str) -> None:
        await self._set(f"commands:{target}", digest)

    async def round_channel(self, guild_id: int) -> int | None:
        value = await self._get(f"round_channel:{guild_id}") or ""
        return int(value) if value.isdigit() else None

    async def set_round_channel(self, guild_id: int, channel_id: int) -> None:
        await self._set(f"round_channel:{guild_id}", str(channel_id))

    async def _get(self, key: str) -> str | None:
        async with self.bot.store.transaction() as tx:
            return await tx.adapter_state.get(PLATFORM, key)

    async def _set(self, key: str, value: str) -> None:
        async with self.bot.store.transaction() as tx:
            await tx.adapter_state.put(PLATFORM, key, value, self.bot.clock.now())
