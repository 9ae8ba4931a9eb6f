"""`cmas-bot content stats`: item analysis over the learners' first answers and their reports, as a
table for reviewers (CSV) and a list of the questions flagged for review."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from bot.domain.item_stats import ItemStats, analyse
from bot.domain.questions import LETTERS, Bank
from bot.ports.storage import Store

COLUMNS = ("question", "version", "domain", "topic", "key", "answered", "p_value", "discrimination",
           *(f"share_{letter}" for letter in LETTERS), "reports", "flags")


async def item_stats(store: Store, bank: Bank) -> list[ItemStats]:
    async with store.transaction() as tx:
        answers = await tx.items.first_answers()
        reports = await tx.items.reports()
    return analyse(bank.questions, answers, reports)


def write_csv(stats: Sequence[ItemStats], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for s in stats:
            q = s.question
            writer.writerow((q.id, q.version, q.domain, q.topic, q.answer, s.answered,
                             _fixed(s.p_value), _fixed(s.discrimination),
                             *(_fixed(s.shares.get(letter)) for letter in LETTERS), s.reports,
                             "; ".join(s.flags)))


def flagged_lines(stats: Sequence[ItemStats]) -> list[str]:
    return [f"{s.question.id} v{s.question.version}: {', '.join(s.flags)}" for s in stats if s.flags]


def _fixed(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"
