"""A local chat in the terminal: the whole product on one screen, interactive or from piped input.

Every button of the conversation stays pressable: buttons are numbered as they appear, and typing a
number, a button's whole label or its first word presses it (see `Buttons`). A single letter is
always text, so typed `A`-`D` answer as they do on every platform. Charts and exported files are
saved under the data folder, one folder per learner each, and deleted with them by /forgetme.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import io
import re
import shutil
import string
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from rich.console import Console

from adapters.cleaning import clean
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
from bot.inputs.text import quote
from bot.outgoing import Choice, Outgoing

PLATFORM = "console"
BANNER = ("CMAS Study Bot console. Press a button by typing its number or first word, answer with A-D, "
          "/help for commands, /quit or Ctrl+C to leave.")
GOODBYE = "Bye - see you next session."
QUIT = frozenset({"/quit", "/exit"})
SHOWN_WHEN_AMBIGUOUS = 4


def _first_word(text: str) -> str:
    words = text.split()
    return words[0].strip(string.punctuation).casefold() if words else ""


class Buttons:
    """Every button shown so far, numbered from 1 in order of appearance; one shown again (same label,
    same payload: the same action) keeps its number.

    A word that fits several buttons presses the one in the latest message with buttons if only one
    there fits (`next` after an answer means that answer's Next), else the one whose whole label it
    is; otherwise the learner is asked for the number.
    """

    def __init__(self) -> None:
        self._shown: list[Choice] = []
        self._numbers: dict[Choice, int] = {}
        self._latest: frozenset[int] = frozenset()

    def add(self, choices: Sequence[Choice]) -> list[int]:
        """Registers a message's buttons and returns their numbers."""
        for choice in choices:
            if choice not in self._numbers:
                self._shown.append(choice)
                self._numbers[choice] = len(self._shown)
        numbers = [self._numbers[c] for c in choices]
        self._latest = frozenset(numbers)
        return numbers

    def find(self, text: str) -> Choice | str | None:
        """The button `text` names, a one-line hint when it names none or several, or None when it
        is no button reference (several words that are not a label: text for the core)."""
        if text.isdecimal():
            return self._by_number(text)
        label, word = text.casefold(), _first_word(text)
        exact = [n for n, c in enumerate(self._shown, 1) if c.label.casefold() == label]
        if len(text.split()) > 1:
            fits = exact
            if not fits:
                return None
        else:
            fits = [n for n, c in enumerate(self._shown, 1) if word and _first_word(c.label) == word]
        for narrowed in ([n for n in fits if n in self._latest], fits, exact):
            if len(narrowed) == 1:
                return self._shown[narrowed[0] - 1]
        if not fits:
            return (f'No button starts with "{quote(text)}". Type a button\'s number or first word, '
                    "A-D to answer, or /help.")
        listed = ", ".join(f"[{n}] {self._shown[n - 1].label}" for n in fits[:SHOWN_WHEN_AMBIGUOUS])
        more = " ..." if len(fits) > SHOWN_WHEN_AMBIGUOUS else ""
        return f'"{quote(text)}" fits {len(fits)} buttons: {listed}{more}. Type its number.'

    def _by_number(self, text: str) -> Choice | str:
        number = int(text) if len(text) <= 9 else 0  # int() refuses thousands of digits
        if 1 <= number <= len(self._shown):
            return self._shown[number - 1]
        if not self._shown:
            return "There are no buttons yet. Send /help for the commands."
        return f"There is no button {quote(text)}: the buttons so far are numbered 1-{len(self._shown)}."


class ConsoleChat:
    """The chat of the person at this terminal: their login name is the learner."""

    def __init__(self, bot: StudyBot, stdin: TextIO, out: Console, data_dir: Path) -> None:
        self.bot, self.stdin, self.out = bot, stdin, out
        user = clean(getpass.getuser())  # from the environment, where undecodable bytes are surrogates
        self.person = Person(PLATFORM, user, user)
        self.chat = Chat(Address(PLATFORM, user), is_group=False)
        self.image_dir = data_dir.absolute() / "images" / re.sub(r"[^\w.-]", "_", user)
        self.export_dir = data_dir.absolute() / "exports" / re.sub(r"[^\w.-]", "_", user)
        self.buttons = Buttons()

    async def run(self) -> None:
        """Greets, then replies to each line until /quit or end of input. Ctrl+C cancels this task
        wherever it waits, so it leaves at once, with the same goodbye."""
        interactive = self.stdin.isatty()
        self.out.print(BANNER, style="bold")
        try:
            self.show(await self.bot.greet(self.person, self.chat))
            while (line := await self._next_line(interactive)) is not None:
                if line.strip().lower() in QUIT:
                    return
                if not interactive:
                    self.out.print(f"> {line}", style="dim")
                event = self.to_event(line)
                if isinstance(event, str):
                    self.out.print(event, style="yellow", markup=False)
                elif event is not None:
                    self.show(await self.bot.handle(event))
        finally:
            self.out.print()
            self.out.print(GOODBYE, style="bold")

    async def _next_line(self, interactive: bool) -> str | None:
        """Reads on a daemon thread of its own: a cancelled wait is left behind, where a blocked
        asyncio.to_thread worker would hold the exit until Enter."""
        loop = asyncio.get_running_loop()
        line: asyncio.Future[str | None] = loop.create_future()

        def settle(result: str | None, error: Exception | None) -> None:
            if line.done():  # cancelled by Ctrl+C
                return
            if error is not None:
                line.set_exception(error)
            else:
                line.set_result(result)

        def read() -> None:
            result, error = None, None
            try:
                result = self._read(interactive)
            except Exception as exc:
                error = exc
            with contextlib.suppress(RuntimeError):  # the loop closed while this waited
                loop.call_soon_threadsafe(settle, result, error)

        threading.Thread(target=read, name="console-input", daemon=True).start()
        return await line

    def _read(self, interactive: bool) -> str | None:
        if interactive:
            try:
                return input("> ")
            except EOFError:
                return None
        line = self.stdin.readline()
        return line.rstrip("\n") if line else None

    def to_event(self, line: str) -> Event | str | None:
        """The event a typed line stands for, a one-line hint when it names no single button, or
        None for a blank line."""
        text = clean(line).strip()
        if not text:
            return None
        command = parse_command(text)
        if command is not None:
            return Command(self.person, self.chat, command[0], command[1])
        if len(text) == 1 and text.isalpha():
            return TextMessage(self.person, self.chat, text)  # an answer letter: the core decides
        found = self.buttons.find(text)
        if isinstance(found, Choice):
            return ButtonPressed(self.person, self.chat, found.payload)
        return found if found is not None else TextMessage(self.person, self.chat, text)

    def show(self, replies: Sequence[Outgoing]) -> None:
        for reply in replies:
            self.out.print()
            self.out.print(reply.text, markup=False, highlight=False)
            if reply.image is not None:
                self.image_dir.mkdir(parents=True, exist_ok=True)
                path = self.image_dir / reply.image.filename
                path.write_bytes(reply.image.png)
                self.out.print(f"[chart saved to {path}]", style="cyan", markup=False)
            for document in reply.documents:
                self.export_dir.mkdir(parents=True, exist_ok=True)
                path = self.export_dir / Path(document.filename).name
                path.write_bytes(document.data)
                self.out.print(f"[file saved to {path}]", style="cyan", markup=False)
            if reply.forgotten and self.image_dir.exists():
                shutil.rmtree(self.image_dir)
                self.out.print(f"[saved charts deleted: {self.image_dir}]", style="cyan", markup=False)
            if reply.forgotten and self.export_dir.exists():
                shutil.rmtree(self.export_dir)
                self.out.print(f"[exported files deleted: {self.export_dir}]", style="cyan", markup=False)
            if reply.choices:
                numbers = self.buttons.add(reply.choices)
                self.out.print("   ".join(f"[{n}] {c.label}" for n, c in zip(numbers, reply.choices,
                                                                           strict=True)),
                               style="bold cyan", markup=False)


async def run_console(bot: StudyBot, data_dir: Path, stdin: TextIO = sys.stdin) -> None:
    if isinstance(stdin, io.TextIOWrapper):
        stdin.reconfigure(errors="replace")  # stray bytes in piped input become text, not a crash
    await ConsoleChat(bot, stdin, Console(highlight=False, soft_wrap=True), data_dir).run()


class ConsoleMessenger:
    """Delivers pushes to console learners by printing them: `cmas-bot tick` on a laptop."""

    platform = PLATFORM

    def __init__(self, out: Console) -> None:
        self.out = out

    async def administers(self, group: Address, user_id: str) -> bool:
        """The console has one person, who runs it: theirs are all the rights there are."""
        return True

    async def send(self, address: Address, message: Outgoing) -> None:
        self.out.print(f"--- to {address.chat_id} ---", style="dim")
        self.out.print(message.text, markup=False, highlight=False)
        if message.choices:
            self.out.print("  ".join(f"[{c.label}]" for c in message.choices), style="bold cyan",
                           markup=False)
