"""/export on Telegram: the text, then the Anki package and the CSV as documents; in a group, the
pointer to the private chat; a file over the Bot API's limit is refused in one line."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from adapters.telegram import TelegramFrontend, render
from bot.outgoing import Document, Outgoing
from tests.telegram.fake_api import FakeBotApi, Json

GROUP = -1001


async def test_export_sends_the_text_then_two_documents(telegram: TelegramFrontend, api: FakeBotApi,
                                                      alice: Json) -> None:
    api.say(alice, "/quiz")
    [question] = await api.wait("sendMessage", chat_id=101)
    mark = api.mark()
    api.press(alice, question, "C")  # keyed B: missed
    await api.wait("editMessageText", since=mark)

    mark = api.mark()
    api.say(alice, "/export")
    [text] = await api.wait("sendMessage", since=mark)
    apkg, table = await api.wait("sendDocument", 2, since=mark)
    assert text.text.startswith("Your export: 1 question you missed") and text.at <= apkg.at <= table.at
    assert apkg.chat_id == table.chat_id == 101
    package, rows = apkg.params["document"], table.params["document"]
    assert package["filename"] == "cmas-missed-2026-03-02.apkg" and package["mime"] == "application/apkg"
    with zipfile.ZipFile(io.BytesIO(package["data"])) as archive:
        assert "collection.anki2" in archive.namelist()
    assert rows["filename"] == "cmas-missed-2026-03-02.csv" and rows["mime"] == "text/csv"
    [row] = csv.DictReader(io.StringIO(rows["data"].decode("utf-8"), newline=""))
    assert row["answer"] == "B" and row["times_wrong"] == "1"
    assert apkg.result["document"]["file_name"] == package["filename"]


async def test_export_in_a_group_points_to_the_private_chat_and_sends_no_file(
        telegram: TelegramFrontend, api: FakeBotApi, alice: Json) -> None:
    api.group(GROUP, "CMAS evening class")
    api.say(alice, "/export@CmasStudyBot all", chat_id=GROUP)
    [pointer] = await api.wait("sendMessage", chat_id=GROUP)
    assert "/export is just for you: send it to me in a private chat" in pointer.text
    await api.quiet()
    assert api.made("sendDocument") == []


def test_a_document_over_the_bot_api_limit_becomes_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "MAX_DOCUMENT", 2**20)
    fits = Document("cmas-all.csv", b"x" * 2**20, "text/csv")
    too_big = Document("cmas-all.apkg", b"x" * (2**20 + 1), "application/apkg")
    parts = render.render(Outgoing("Your export: 3 questions", documents=(fits,), private=True))
    assert [p.document for p in parts] == [None, fits] and parts[1].html == ""
    [line] = render.render(Outgoing("Your export: 3 questions", documents=(too_big, fits), private=True))
    assert line.document is None
    assert line.html == ("cmas-all.apkg is 1.0 MB, over the 1.0 MB Telegram allows for a file, so nothing "
                         "was sent.")
    assert render.alert_text(Outgoing("short", documents=(fits,), private=True)) is None
