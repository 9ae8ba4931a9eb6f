"""The export as an Anki package (.apkg), built with genanki.

One note type and one deck with fixed ids, so every export lands in the same deck with the same
fields; one note per question whose GUID comes from the question id, so importing a later export
updates the notes already there instead of adding copies. The package is built in memory: genanki's
own `write_to_file` leaves its SQLite file behind in the temp folder, so the collection is written to
an in-memory database and zipped here, with every zip entry dated `at`: the same rows and `at` give
the same bytes.
"""

from __future__ import annotations

import contextlib
import html
import io
import itertools
import re
import sqlite3
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime

import genanki  # type: ignore[import-untyped]

from bot.domain.questions import LETTERS, Question
from bot.export.rows import ExportRow

MODEL_ID = 1_607_392_477  # fixed forever: Anki matches a note type by id
DECK_ID = 2_081_356_713  # fixed forever: every export goes into the same deck
MODEL_NAME = "CMAS Study Bot question"
DECK_NAME = "CMAS Study Bot"
FIELDS = ("Stem", "Choices", "Answer", "Explanation", "Source")

FRONT = '<div class="stem">{{Stem}}</div>\n<div class="choices">{{Choices}}</div>'
BACK = ('{{FrontSide}}\n<hr id="answer">\n<div class="key">{{Answer}}</div>\n'
        '<div class="explanation">{{Explanation}}</div>\n'
        '{{#Source}}<div class="source">Source: {{Source}}</div>{{/Source}}')
CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; }
.choices { margin-top: 1em; line-height: 1.6; }
.key { font-weight: bold; }
.explanation { margin-top: 1em; }
.source { margin-top: 1em; font-size: 14px; color: #666; }
"""


def _model() -> genanki.Model:
    """A fresh model each time: genanki fills its templates in when writing."""
    return genanki.Model(MODEL_ID, MODEL_NAME, fields=[{"name": name} for name in FIELDS],
                         templates=[{"name": "Question", "qfmt": FRONT, "afmt": BACK}], css=CSS)


def _html(text: str) -> str:
    """Anki fields are HTML: the bank's plain text escaped, its line breaks kept."""
    return html.escape(text, quote=False).replace("\n", "<br>")


def _slug(text: str) -> str:
    """A tag part: Anki tags cannot contain spaces."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def tags(question: Question) -> list[str]:
    return [f"cmas::d{question.domain}", f"cmas::topic::{_slug(question.topic)}"]


def fields(question: Question) -> list[str]:
    """Stem, choices A-D in the bank's order, the key as letter and text, explanation, source."""
    choices = "<br>".join(f"{letter}. {_html(choice)}" for letter, choice in zip(LETTERS, question.choices,
                                                                                 strict=True))
    return [_html(question.stem), choices, f"{question.answer}. {_html(question.answer_text)}",
            _html(question.explanation), _html(question.source)]


def note_guid(question: Question) -> str:
    guid: str = genanki.guid_for(question.id)
    return guid


def apkg_bytes(rows: Sequence[ExportRow], at: datetime) -> bytes:
    """The package of `rows`; `at` dates its notes (Anki updates a note when the import is newer)."""
    model = _model()
    deck = genanki.Deck(DECK_ID, DECK_NAME, description="Questions from CMAS Study Bot (/export).")
    for row in rows:
        deck.add_note(genanki.Note(model=model, fields=fields(row.question), tags=tags(row.question),
                                   guid=note_guid(row.question)))
    timestamp = at.timestamp()
    with contextlib.closing(sqlite3.connect(":memory:")) as db:
        genanki.Package(deck).write_to_db(db.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
        db.commit()
        collection = db.serialize()
    return _zipped({"collection.anki2": collection, "media": b"{}"}, at)


def _zipped(entries: dict[str, bytes], at: datetime) -> bytes:
    stamp = at.astimezone(UTC).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, stamp)
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
