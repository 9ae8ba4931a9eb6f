"""The export as CSV: a header row and one row per question, RFC 4180 quoting (the csv module's
defaults: CRLF line ends, fields with commas, quotes or line breaks quoted), UTF-8."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.domain.questions import LETTERS
from bot.export.rows import ExportRow

COLUMNS = ("id", "domain", "topic", "stem", *LETTERS, "answer", "explanation", "source",
           "times_answered", "times_wrong", "last_answered")


def csv_bytes(rows: Sequence[ExportRow]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        q = row.question
        writer.writerow((q.id, q.domain, q.topic, q.stem, *q.choices, q.answer, q.explanation, q.source,
                         row.answered, row.wrong, row.last_answered.isoformat()))
    return out.getvalue().encode("utf-8")
