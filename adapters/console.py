"""A local chat in the terminal: the whole product on one screen, interactive or from piped input.

Buttons are shown in brackets; typing a button's label presses it, so `A`-`D` answer the question
and `Next` moves on. Images are saved next to the working directory and their path printed.
"""

from __future__ import annotations

import asyncio
import getpass
import sys
from pathlib import Path
from typing import TextIO

from rich.console import Console

from bot.core import StudyBot
from bot.events import (
    Address,
    ButtonPressed,
    Chat,
    Command,
    Event,
    Person,
    TextMessage,
    parse_command,
)
from bot.outgoing import Outgoing

PLATFORM = "console"


class ConsoleChat:
    def __init__(self, bot: StudyBot, stdin: TextIO, out: Console, image_dir: Path) -> None:
        self.bot, self.stdin, self.out, self.image_dir = bot, stdin, out, image_dir
        user = getpass.getuser()
        self.person = Person(PLATFORM, user, user)
        self.chat = Chat(Address(PLATFORM, user), is_group=False)
        self._buttons: dict[str, str] = {}  # label (lowercase) -> payload, from recent messages

    async def run(self) -> None:
        """Reads lines until end of input or /quit, replying to each."""
        interactive = self.stdin.isatty()
        self.out.print("CMAS Study Bot console. Type /start to begin, /help for commands, "
                       "/quit to leave.", style="bold")
        for reply in await self.bot.handle(Command(self.person, self.chat, "start")):
            self.show(reply)
        while True:
            line = await asyncio.to_thread(self._read, interactive)
            if line is None or line.strip().lower() in {"/quit", "/exit"}:
                return
            if not interactive:
                self.out.print(f"> {line}", style="dim")
            event = self.to_event(line)
            if event is not None:
                for reply in await self.bot.handle(event):
                    self.show(reply)

    def _read(self, interactive: bool) -> str | None:
        if interactive:
            try:
                return input("> ")
            except EOFError:
                return None
        line = self.stdin.readline()
        return line.rstrip("\n") if line else None

    def to_event(self, line: str) -> Event | None:
        text = line.strip()
        if not text:
            return None
        command = parse_command(text)
        if command is not None:
            return Command(self.person, self.chat, command[0], command[1])
        payload = self._buttons.get(text.lower())
        if payload is not None:
            return ButtonPressed(self.person, self.chat, payload)
        return TextMessage(self.person, self.chat, text)

    def show(self, reply: Outgoing) -> None:
        self.out.print()
        self.out.print(reply.text, markup=False, highlight=False)
        if reply.image is not None:
            path = self.image_dir / reply.image.filename
            path.write_bytes(reply.image.png)
            self.out.print(f"[chart saved to {path}]", style="cyan", markup=False)
        if reply.choices:
            self._buttons = {c.label.lower(): c.payload for c in reply.choices}
            self.out.print("  ".join(f"[{c.label}]" for c in reply.choices), style="bold cyan",
                           markup=False)


async def run_console(bot: StudyBot, stdin: TextIO = sys.stdin) -> None:
    await ConsoleChat(bot, stdin, Console(highlight=False, soft_wrap=True), Path.cwd()).run()


class ConsoleMessenger:
    """Delivers pushes to console learners by printing them: `cmas-bot tick` on a laptop."""

    platform = PLATFORM

    def __init__(self, out: Console) -> None:
        self.out = out

    async def send(self, address: Address, message: Outgoing) -> None:
        self.out.print(f"--- to {address.chat_id} ---", style="dim")
        self.out.print(message.text, markup=False, highlight=False)
        if message.choices:
            self.out.print("  ".join(f"[{c.label}]" for c in message.choices), style="bold cyan",
                           markup=False)
