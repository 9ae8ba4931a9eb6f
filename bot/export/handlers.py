"""`/export [missed|all]`: the questions the learner missed (answered wrong at least once, the
default) or every one they answered, as an Anki package and a CSV file, in a private chat."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.errors import BadInput
from bot.export.anki import apkg_bytes
from bot.export.rows import ExportKind, ExportRow, export_rows
from bot.export.table import csv_bytes
from bot.inputs.text import quote
from bot.outgoing import Document, Outgoing
from bot.turn import Turn

APKG_MIME = "application/apkg"
CSV_MIME = "text/csv"
EMPTY = {
    ExportKind.MISSED: "You have not missed any questions yet: nothing to export. /export all sends every "
                       "question you have answered.",
    ExportKind.ALL: "You have not answered any questions yet: nothing to export. Send /quiz for your first.",
}


def _kind(args: tuple[str, ...]) -> ExportKind:
    word = " ".join(args).strip().lower()
    if not word:
        return ExportKind.MISSED
    try:
        return ExportKind(word)
    except ValueError:
        raise BadInput(f"{quote(word)} is not something I can export: send /export missed (questions "
                       "you answered wrong at least once) or /export all (every question you answered)."
                       ) from None


def _files(rows: list[ExportRow], name: str, at: datetime) -> tuple[Document, Document]:
    return (Document(f"{name}.apkg", apkg_bytes(rows, at), APKG_MIME),
            Document(f"{name}.csv", csv_bytes(rows), CSV_MIME))


async def command(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    kind = _kind(args)
    tallies = await turn.tx.answers.question_tallies(turn.learner.id)
    rows = export_rows(turn.bank, tallies, kind, turn.zone)
    if not rows:
        return Outgoing(EMPTY[kind], private=True)
    name = f"cmas-{kind.value}-{turn.today.isoformat()}"
    files = await asyncio.to_thread(_files, rows, name, turn.now)  # a whole bank takes a moment to zip
    noun = "question" if len(rows) == 1 else "questions"
    which = "you missed" if kind is ExportKind.MISSED else "you have answered"
    return Outgoing(
        f"Your export: {len(rows)} {noun} {which}, as an Anki package and a CSV file.\n"
        "In Anki, File > Import the .apkg: importing a later export updates these cards instead of "
        "adding copies. The CSV opens in any spreadsheet.",
        documents=files, private=True)
