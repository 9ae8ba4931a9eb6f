"""The floor for benchmarks/discord_throughput.py: a bare discord.py client whose only handler answers
a button press the way the study bot's adapter does (a deferral, then an edit of the message), in a
process of its own.

Run by discord_throughput.py: discord_bare.py TOKEN API GATEWAY. Prints "ready" once the gateway
session is up; stops when its standard input closes.
"""

from __future__ import annotations

import asyncio
import logging
import sys

import discord
import yarl


class Bare(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.none())
        self.up = asyncio.Event()

    async def on_ready(self) -> None:
        self.up.set()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.component:
            await interaction.response.defer()
            await interaction.edit_original_response(content=f"You pressed {interaction.data}")


async def main(token: str, api: str, gateway: str) -> None:
    discord.http.Route.BASE = api
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    client = Bare()
    await client.login(token)
    connection = asyncio.create_task(client.connect())
    await client.up.wait()
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await client.close()
    await asyncio.gather(connection, return_exceptions=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main(*sys.argv[1:]))
