"""What an export holds: the questions chosen by kind, each with the learner's own tally."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.questions import Bank, Question
from bot.domain.tallies import QuestionTally


class ExportKind(StrEnum):
    MISSED = "missed"  # answered wrong at least once (QuestionTally.missed)
    ALL = "all"  # answered at least once


@dataclass(frozen=True, slots=True)
class ExportRow:
    question: Question  # the bank's current version, choices in the content file's order
    answered: int
    wrong: int
    last_answered: date  # in the learner's time zone


def export_rows(bank: Bank, tallies: Sequence[QuestionTally], kind: ExportKind,
                zone: ZoneInfo) -> list[ExportRow]:
    """The chosen questions by domain and id. Retired questions stay out: they were withdrawn (an
    outdated fact, a disputed key), and a card should not teach them."""
    rows = []
    for tally in tallies:
        question = bank.get(tally.question_id)
        if question is None or question.retired or (kind is ExportKind.MISSED and not tally.missed):
            continue
        rows.append(ExportRow(question, tally.answered, tally.wrong,
                              tally.last_answered.astimezone(zone).date()))
    return sorted(rows, key=lambda row: (row.question.domain, row.question.id))
