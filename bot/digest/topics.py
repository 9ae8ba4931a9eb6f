"""The weakest topic, by the rule /plan applies to weak domains (bot.domain.plan.weakest_first), and
the words a "Drill it" button can quiz that topic with."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot import payloads
from bot.domain.domains import UnknownDomainError, parse_scope
from bot.domain.models import DomainRecord
from bot.domain.plan import weakest_first
from bot.domain.questions import Bank
from bot.domain.tallies import QuestionTally

MAX_WORD = 32  # the longest topic word a button payload carries


def topic_records(bank: Bank, tallies: Sequence[QuestionTally]) -> dict[str, DomainRecord]:
    """Answers and right answers per topic that can still be asked, from per-question tallies."""
    askable = bank.topics
    records: dict[str, DomainRecord] = {}
    for tally in tallies:
        question = bank.get(tally.question_id)
        if question is None or question.topic not in askable:
            continue
        was = records.get(question.topic, DomainRecord())
        records[question.topic] = DomainRecord(was.answered + tally.answered,
                                               was.correct + tally.answered - tally.wrong)
    return records


def weakest(records: Mapping[str, DomainRecord]) -> str | None:
    """The weakest topic by /plan's rule, or None when none is weak (ties: alphabetical)."""
    weak = weakest_first(records)
    return weak[0] if weak else None


def drill_word(topic: str, topics: Mapping[str, int]) -> str | None:
    """Words /quiz reads as this topic (alone if any such word exists; else among the fewest
    others) and a button payload can carry; None if there are none."""
    words = re.sub(r"[^a-z]+", " ", topic.lower()).split()
    found: list[tuple[int, str]] = []
    for word in dict.fromkeys([" ".join(words), *words]):
        if len(word) > MAX_WORD or not _carried(word):
            continue
        try:
            scope = parse_scope(word, topics)
        except UnknownDomainError:
            continue
        if topic in scope.topics:
            found.append((len(scope.topics), word))
    return min(found, key=lambda pair: pair[0])[1] if found else None


def _carried(word: str) -> bool:
    """Whether a Next button survives the trip with this word (bot.payloads decodes strictly)."""
    button = payloads.Next(daily=False, topic=word)
    try:
        return payloads.decode(payloads.encode(button)) == button
    except payloads.BadPayload:
        return False
