"""/export: the Anki package read back as a collection (notes, fields, tags, GUIDs stable across
exports), the CSV round-tripping through csv.DictReader, which questions count as missed, the
refusals, and what the outbox keeps of a reply with files."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sqlite3
import zipfile
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import genanki  # type: ignore[import-untyped]

from bot import outbox, payloads
from bot.core import StudyBot
from bot.domain.questions import Bank
from bot.domain.tallies import QuestionTally
from bot.export.anki import DECK_ID, DECK_NAME, FIELDS, MODEL_ID, apkg_bytes
from bot.export.rows import ExportKind, ExportRow, export_rows
from bot.export.table import COLUMNS, csv_bytes
from bot.outgoing import Document, Outgoing, files_within
from bot.ports.clock import FixedClock
from tests.chat import Chatter
from tests.conftest import START, make_question

CHICAGO = ZoneInfo("America/Chicago")


@dataclass(frozen=True)
class Note:
    guid: str
    model_id: int
    tags: list[str]
    fields: list[str]


@dataclass(frozen=True)
class Collection:
    notes: dict[str, Note]  # by GUID
    models: dict[str, dict[str, object]]
    decks: dict[str, dict[str, object]]
    card_decks: list[int]


def read_apkg(data: bytes) -> Collection:
    """The package as Anki reads it: a zip holding collection.anki2, an SQLite database."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["collection.anki2", "media"]
        assert archive.testzip() is None
        collection = archive.read("collection.anki2")
        assert json.loads(archive.read("media")) == {}
    with contextlib.closing(sqlite3.connect(":memory:")) as db:
        db.deserialize(collection)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = db.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id").fetchall()
        models, decks = db.execute("SELECT models, decks FROM col").fetchone()
        card_decks = [did for (did,) in db.execute("SELECT did FROM cards ORDER BY nid")]
        note_ids = [nid for (nid,) in db.execute("SELECT nid FROM cards ORDER BY nid")]
    assert note_ids == [row[0] for row in rows]  # one card per note
    notes = [Note(guid, mid, tags.split(), flds.split("\x1f")) for _, guid, mid, tags, flds in rows]
    return Collection({n.guid: n for n in notes}, json.loads(models), json.loads(decks), card_decks)


def collection(document: Document) -> Collection:
    return read_apkg(document.data)


def read_csv(document: Document) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(document.data.decode("utf-8"), newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def files(reply: Outgoing) -> tuple[Document, Document]:
    apkg, table = reply.documents
    assert apkg.filename.endswith(".apkg") and table.filename.endswith(".csv")
    return apkg, table


async def answer(chat: Chatter, letter: str) -> str:
    """Asks for a question and answers it (the fixture bank keys every question B, choices
    unshuffled); returns the question's id, read from the report button under the verdict."""
    await chat.send("/quiz")
    [verdict] = await chat.send(letter)
    [button] = [c for c in verdict.choices if c.label == "Report a problem"]
    report = payloads.decode(button.payload)
    assert isinstance(report, payloads.Report)
    return report.question_id


# The core, end to end


async def test_missed_questions_export_as_an_anki_collection_and_a_csv(chat: Chatter, bank: Bank) -> None:
    missed = await answer(chat, "C")
    right = await answer(chat, "B")
    [reply] = await chat.send("/export")
    assert reply.private and not reply.choices
    assert reply.text.startswith("Your export: 1 question you missed, as an Anki package and a CSV file.")
    apkg, table = files(reply)
    assert apkg.filename == "cmas-missed-2026-03-02.apkg" and apkg.mime == "application/apkg"
    assert table.filename == "cmas-missed-2026-03-02.csv" and table.mime == "text/csv"

    anki = collection(apkg)
    question = bank.get(missed)
    assert question is not None
    [note] = anki.notes.values()
    assert note.guid == genanki.guid_for(missed)
    assert note.model_id == MODEL_ID
    assert note.fields == [
        question.stem,
        "<br>".join(f"{letter}. {choice}" for letter, choice in zip("ABCD", question.choices, strict=True)),
        f"B. {question.choices[1]}", question.explanation, "Test fixture"]
    assert note.tags == [f"cmas::d{question.domain}", "cmas::topic::topic"]
    model = anki.models[str(MODEL_ID)]
    assert [f["name"] for f in model["flds"]] == list(FIELDS)  # type: ignore[attr-defined]
    assert anki.decks[str(DECK_ID)]["name"] == DECK_NAME and anki.card_decks == [DECK_ID]

    [row] = read_csv(table)
    assert row == {"id": missed, "domain": str(question.domain), "topic": "topic", "stem": question.stem,
                   "A": question.choices[0], "B": question.choices[1], "C": question.choices[2],
                   "D": question.choices[3], "answer": "B", "explanation": question.explanation,
                   "source": "Test fixture", "times_answered": "1", "times_wrong": "1",
                   "last_answered": "2026-03-02"}

    [everything] = await chat.send("/export all")
    assert everything.text.startswith("Your export: 2 questions you have answered,")
    apkg_all, table_all = files(everything)
    assert apkg_all.filename == "cmas-all-2026-03-02.apkg"
    assert set(collection(apkg_all).notes) == {genanki.guid_for(missed), genanki.guid_for(right)}
    assert {r["id"]: (r["times_answered"], r["times_wrong"]) for r in read_csv(table_all)} == {
        missed: ("1", "1"), right: ("1", "0")}


async def test_the_same_export_twice_is_the_same_bytes_and_later_ones_keep_the_guids(
        chat: Chatter, clock: FixedClock) -> None:
    first_missed = await answer(chat, "A")
    [once] = await chat.send("/export")
    [twice] = await chat.send("/export")
    assert once.documents == twice.documents  # same answers, same instant: byte for byte

    clock.set(START + timedelta(days=1))
    second_missed = await answer(chat, "D")
    [later] = await chat.send("/export")
    before, after = collection(files(once)[0]), collection(files(later)[0])
    assert set(before.notes) == {genanki.guid_for(first_missed)}
    assert set(after.notes) == {genanki.guid_for(first_missed), genanki.guid_for(second_missed)}
    assert after.notes[genanki.guid_for(first_missed)].fields == before.notes[
        genanki.guid_for(first_missed)].fields
    assert files(later)[0].filename == "cmas-missed-2026-03-03.apkg"


async def test_a_question_answered_wrong_once_stays_missed_after_a_right_answer(
        chat: Chatter, clock: FixedClock) -> None:
    assert (await chat.send("/export"))[0] == Outgoing(
        "You have not missed any questions yet: nothing to export. /export all sends every question "
        "you have answered.", private=True)
    assert "not answered any questions yet" in (await chat.send("/export all"))[0].text
    await answer(chat, "B")
    [nothing] = await chat.send("/export")
    assert nothing.documents == () and nothing.text.startswith("You have not missed any questions yet")

    clock.set(START + timedelta(days=3))
    missed = await answer(chat, "C")
    clock.set(START + timedelta(days=9))
    right_after = [await answer(chat, "B") for _ in range(4)]  # its review comes back among these
    assert missed in right_after and right_after.count(missed) == 1
    [reply] = await chat.send("/export")
    [row] = read_csv(files(reply)[1])
    assert (row["id"], row["times_answered"], row["times_wrong"]) == (missed, "2", "1")
    assert row["last_answered"] == "2026-03-11"


async def test_bad_words_and_groups_are_answered_with_one_line(chat: Chatter, study_bot: StudyBot) -> None:
    await answer(chat, "C")
    [bogus] = await chat.send("/export bogus")
    assert bogus == Outgoing("bogus is not something I can export: send /export missed (questions you "
                             "answered wrong at least once) or /export all (every question you answered).")

    group = Chatter(study_bot, "u1", chat_id="g1", group=True)
    [pointer] = await group.send("/export all")
    assert pointer.open_private and pointer.documents == ()
    assert pointer.text.startswith("/export is just for you")


# Which questions, and the files' contents


def test_rows_are_missed_or_met_by_domain_dated_in_the_learners_zone() -> None:
    retired = replace(make_question(2, 1), retired=True)
    bank = Bank([make_question(5, 2), make_question(1, 3), retired, make_question(3, 1)])
    late_evening = datetime(2026, 3, 2, 3, 30, tzinfo=UTC)  # 21:30 on 1 March in Chicago
    tallies = [QuestionTally("d1-0003", 2, 0, late_evening), QuestionTally("d2-0001", 1, 1, late_evening),
               QuestionTally("d5-0002", 3, 1, START), QuestionTally("d9-0404", 1, 1, START),
               QuestionTally("d3-0001", 2, 2, START)]
    missed = export_rows(bank, tallies, ExportKind.MISSED, CHICAGO)
    assert [(r.question.id, r.answered, r.wrong) for r in missed] == [("d3-0001", 2, 2), ("d5-0002", 3, 1)]
    met = export_rows(bank, tallies, ExportKind.ALL, CHICAGO)
    assert [r.question.id for r in met] == ["d1-0003", "d3-0001", "d5-0002"]  # retired, unknown left out
    assert met[0].last_answered == date(2026, 3, 1)
    assert export_rows(bank, tallies, ExportKind.ALL, UTC)[0].last_answered == date(2026, 3, 2)  # type: ignore[arg-type]


def tricky() -> ExportRow:
    question = replace(
        make_question(4, 7, answer="C", topic="claims, denials & appeals"),
        stem='A payer writes "denied, see note".\nWhich field, <if any>, is wrong?',
        choices=("Box 24, line 1", 'The "rendering" NPI', "None\r\nof them", "Café \u2013 5 €"),
        explanation='Quotes "inside", commas, and a line break\nkept; & <tags> escaped.',
        source="CMS-1500 manual, ch. 2 (2024)")
    return ExportRow(question, 3, 2, date(2026, 2, 28))


def test_the_csv_round_trips_commas_quotes_and_line_breaks() -> None:
    row = tricky()
    data = csv_bytes([row, ExportRow(make_question(1, 1), 1, 0, date(2026, 3, 1))])
    assert data.startswith(b"id,domain,topic,stem,A,B,C,D,answer,explanation,source,times_answered,")
    assert b"\r\n" in data and data.endswith(b"\r\n")  # RFC 4180 record ends
    q = row.question
    back = read_csv(Document("x.csv", data, "text/csv"))
    assert back[0] == {"id": "d4-0007", "domain": "4", "topic": "claims, denials & appeals", "stem": q.stem,
                       "A": "Box 24, line 1", "B": 'The "rendering" NPI', "C": "None\r\nof them",
                       "D": "Café \u2013 5 €", "answer": "C", "explanation": q.explanation,
                       "source": q.source, "times_answered": "3", "times_wrong": "2",
                       "last_answered": "2026-02-28"}
    assert back[1]["id"] == "d1-0001" and len(back) == 2


def test_anki_fields_are_escaped_html_and_tags_are_slugs() -> None:
    row = tricky()
    at = datetime(2026, 3, 2, 15, tzinfo=UTC)
    data = apkg_bytes([row], at)
    assert data == apkg_bytes([row], at)  # deterministic for the same rows and instant
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 3, 2, 15, 0, 0)}
    [note] = read_apkg(data).notes.values()
    assert note.tags == ["cmas::d4", "cmas::topic::claims_denials_appeals"]
    stem, choices, key, explanation, source = note.fields
    assert stem == 'A payer writes "denied, see note".<br>Which field, &lt;if any&gt;, is wrong?'
    assert choices == ('A. Box 24, line 1<br>B. The "rendering" NPI<br>C. None\r<br>of them<br>'
                       "D. Café \u2013 5 €")
    assert key == "C. None\r<br>of them"
    assert explanation == 'Quotes "inside", commas, and a line break<br>kept; &amp; &lt;tags&gt; escaped.'
    assert source == "CMS-1500 manual, ch. 2 (2024)"


# What adapters and the outbox do with files


def test_a_file_over_the_platform_limit_turns_the_message_into_one_line() -> None:
    documents = (Document("a.apkg", b"x" * 10, "application/apkg"), Document("a.csv", b"y" * 30, "text/csv"))
    message = Outgoing("Your export: 2 questions", documents=documents, private=True)
    assert files_within(message, 30, "Telegram") is message
    assert files_within(message, 29, "Discord") == Outgoing(
        "a.csv is 0.0 MB, over the 0.0 MB Discord allows for a file, so nothing was sent.", private=True)
    big = Outgoing("x", documents=(Document("all.apkg", b"z" * (11 * 2**20), "application/apkg"),))
    assert files_within(big, 10 * 2**20, "Discord").text == (
        "all.apkg is 11.0 MB, over the 10.0 MB Discord allows for a file, so nothing was sent.")


def test_the_outbox_keeps_an_exports_text_and_says_the_files_are_not_kept() -> None:
    table = Document("a.csv", b"id\r\n", "text/csv")
    replies = [Outgoing("Your export: 1 question you missed", documents=(table,), private=True),
               Outgoing("No files here")]
    assert outbox.decode(outbox.encode(replies)) == [
        Outgoing(f"Your export: 1 question you missed\n{outbox.FILES_NOT_KEPT}", private=True),
        Outgoing("No files here")]
