"""Text the databases refuse never reaches them: NUL and lone surrogates in names, titles, typed text
and button payloads are replaced at each adapter's edge, and what is replaced is stored on both
databases."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import discord
import pytest
from rich.console import Console
from sqlalchemy import text
from telegram import Update

from adapters.cleaning import REPLACEMENT, clean
from adapters.console import ConsoleChat
from adapters.discord_bot import chats
from adapters.discord_bot.buttons import CoreButton
from adapters.discord_bot.commands import StudyTree
from adapters.discord_bot.interactions import Interactions
from adapters.telegram import updates
from bot.core import APOLOGY, StudyBot
from bot.events import Command, Event, TextMessage
from bot.storage.store import Store

NUL, LONE = "\x00", "\ud800"  # PostgreSQL refuses the first; UTF-8 cannot encode the second
DIRTY = f"Al{NUL}ice{LONE}"
CLEANED = f"Al{REPLACEMENT}ice{REPLACEMENT}"


def test_nul_and_lone_surrogates_are_replaced_and_the_rest_kept() -> None:
    assert clean(DIRTY) == CLEANED
    assert clean("\udfff low, \ud83d high") == f"{REPLACEMENT} low, {REPLACEMENT} high"
    assert clean("Zoë 😀 \u200b tab\tnew\nline") == "Zoë 😀 \u200b tab\tnew\nline"
    assert clean(CLEANED).encode("utf-8")  # storable


def telegram_update(kind: str, body: dict[str, Any]) -> Update:
    """An update as Telegram's JSON carries it: `\\u0000` and unpaired `\\ud800` escapes included."""
    raw = json.dumps({"update_id": 7, kind: body}, ensure_ascii=True)
    assert "\\u0000" in raw and "\\ud800" in raw
    update = Update.de_json(json.loads(raw), None)
    assert update is not None
    return update


GROUP = {"id": -100, "type": "supergroup", "title": f"Study{NUL} group{LONE}"}
ALICE = {"id": 101, "is_bot": False, "first_name": f"Al{NUL}ice{LONE}", "last_name": f"B{NUL}"}


def test_telegram_names_titles_text_and_payloads_are_cleaned() -> None:
    message = telegram_update("message", {"message_id": 1, "date": 0, "chat": GROUP, "from": ALICE,
                                          "text": f"/timezone Europe/Paris{NUL}{LONE}"}).message
    assert message is not None
    origin = updates.sender(message)
    assert origin is not None
    person, chat = origin
    assert person.display_name == f"{CLEANED} B{REPLACEMENT}"
    assert chat.title == f"Study{REPLACEMENT} group{REPLACEMENT}"
    assert updates.text(message) == f"/timezone Europe/Paris{REPLACEMENT}{REPLACEMENT}"
    query = telegram_update("callback_query", {
        "id": "q1", "from": ALICE, "chat_instance": "c", "data": f"v1{NUL}{LONE}",
        "message": {"message_id": 2, "date": 0, "chat": GROUP, "text": "question"}}).callback_query
    assert query is not None
    pressed = updates.press(query)
    assert pressed is not None and pressed[0].payload == f"v1{REPLACEMENT}{REPLACEMENT}"
    assert pressed[0].person.display_name == f"{CLEANED} B{REPLACEMENT}"


class Recorder:
    """Stands in for the Discord adapter's Interactions: records what would go to the core."""

    def __init__(self) -> None:
        self.commands: list[tuple[str, tuple[str, ...]]] = []
        self.presses: list[str] = []

    async def command(self, _interaction: object, name: str, args: tuple[str, ...]) -> None:
        self.commands.append((name, args))

    async def handle_press(self, _interaction: object, payload: str) -> None:
        self.presses.append(payload)


async def test_discord_names_titles_options_and_payloads_are_cleaned() -> None:
    member = cast(discord.Member, SimpleNamespace(id=5, display_name=DIRTY))
    assert chats.person(member).display_name == CLEANED
    assert chats.guild_chat(9, f"Server{NUL}{LONE}").title == f"Server{REPLACEMENT}{REPLACEMENT}"
    recorder = Recorder()
    tree = StudyTree(discord.Client(intents=discord.Intents.none()), cast(Interactions, recorder))
    timezone = tree.get_command("timezone")
    assert isinstance(timezone, discord.app_commands.Command)
    interaction: Any = SimpleNamespace(client=recorder)
    await timezone.callback(interaction, zone=f"Europe/Paris{NUL}")  # type: ignore[call-arg]
    assert recorder.commands == [("timezone", (f"Europe/Paris{REPLACEMENT}",))]
    await CoreButton("A", f"v1{LONE}").callback(interaction)
    assert recorder.presses == [f"v1{REPLACEMENT}"]


def test_console_lines_and_user_name_are_cleaned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: f"me{LONE}")  # an undecodable byte in $USER
    no_core = cast(StudyBot, None)  # turning a line into an event asks nothing of the core
    console = ConsoleChat(no_core, io.StringIO(), Console(file=io.StringIO()), tmp_path)
    assert console.person.display_name == f"me{REPLACEMENT}"
    event = console.to_event(f"some words{NUL} here{LONE}")
    assert isinstance(event, TextMessage) and event.text == f"some words{REPLACEMENT} here{REPLACEMENT}"


async def stored(store: Store, sql: str) -> list[str]:
    async with store.engine.connect() as connection:
        return list((await connection.execute(text(sql))).scalars())


async def test_cleaned_text_is_stored_on_both_databases(study_bot: StudyBot, store: Store) -> None:
    """The events the Telegram adapter builds from dirty updates go through the core into storage."""
    in_group = telegram_update("message", {"message_id": 1, "date": 0, "chat": GROUP, "from": ALICE,
                                           "text": "/leaderboard"}).message
    in_private = telegram_update("message", {"message_id": 2, "date": 0, "from": ALICE,
                                             "chat": {"id": 101, "type": "private"},
                                             "text": f"what{NUL} is{LONE} this"}).message
    assert in_group is not None and in_private is not None
    group_origin, private_origin = updates.sender(in_group), updates.sender(in_private)
    assert group_origin is not None and private_origin is not None
    events: list[Event] = [Command(*group_origin, "leaderboard"), Command(*group_origin, "help"),
                           TextMessage(*private_origin, updates.text(in_private))]
    for event in events:
        replies = await study_bot.handle(event)
        assert replies and all(APOLOGY not in reply.text for reply in replies)
    assert await stored(store, "SELECT display_name FROM learners") == [f"{CLEANED} B{REPLACEMENT}"]
    assert await stored(store, "SELECT title FROM group_chats") == [f"Study{REPLACEMENT} group{REPLACEMENT}"]
