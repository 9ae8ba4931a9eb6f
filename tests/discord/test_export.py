"""/export on Discord: the reply carries the Anki package and the CSV as attachments, in a DM and
(ephemerally) in a server; a file over Discord's limit is refused in one line."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from adapters.discord_bot import render
from bot.outgoing import Document, Outgoing
from tests.discord.conftest import StartBot
from tests.discord.fake_discord import FakeDiscord, Message, user

ALICE = user(101, "Alice")


async def miss_one(fake: FakeDiscord, **where: Any) -> None:
    question = await fake.reply(await fake.slash(ALICE, "quiz", **where))
    press = await fake.press(ALICE, question, "C")  # keyed B
    await fake.until(lambda: press.original_edits)


def attachments(reply: Message) -> tuple[bytes, bytes]:
    assert sorted(reply.files) == ["cmas-all-2026-03-02.apkg", "cmas-all-2026-03-02.csv"]
    return reply.files["cmas-all-2026-03-02.apkg"], reply.files["cmas-all-2026-03-02.csv"]


async def test_export_in_a_dm_attaches_the_package_and_the_csv(fake: FakeDiscord,
                                                              start_bot: StartBot) -> None:
    await start_bot()
    await miss_one(fake)
    exchange = await fake.slash(ALICE, "export", [{"name": "questions", "type": 3, "value": "all"}])
    reply = await fake.reply(exchange)
    assert reply.text.startswith("Your export: 1 question you have answered") and not reply.ephemeral
    package, table = attachments(reply)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert "collection.anki2" in archive.namelist()
    [row] = csv.DictReader(io.StringIO(table.decode("utf-8"), newline=""))
    assert row["times_answered"] == "1" and row["times_wrong"] == "1"


async def test_export_used_in_a_server_answers_privately_with_the_files(fake: FakeDiscord,
                                                                       start_bot: StartBot) -> None:
    await start_bot()
    await miss_one(fake)  # in the DM
    exchange = await fake.slash(ALICE, "export", [{"name": "questions", "type": 3, "value": "all"}],
                                in_guild=True)
    reply = await fake.reply(exchange)
    assert reply.ephemeral and reply.text.startswith("Your export: 1 question")
    attachments(reply)


def test_a_file_over_discords_limit_becomes_one_line() -> None:
    too_big = Document("cmas-all.apkg", b"x" * (render.FILE_MAX + 1), "application/apkg")
    [page] = render.pages(Outgoing("Your export", documents=(too_big,)))
    assert page.text == ("cmas-all.apkg is 10.0 MB, over the 10.0 MB Discord allows for a file, so nothing "
                         "was sent.")
    assert "files" not in page.send_kwargs() and page.edit_kwargs()["attachments"] == []
    fits = Document("cmas-all.csv", b"id\r\n", "text/csv")
    [page] = render.pages(Outgoing("Your export", documents=(fits,)))
    [attached] = page.send_kwargs()["files"]
    assert attached.filename == "cmas-all.csv"
