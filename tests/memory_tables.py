"""The in-memory store's tables: one dict per SQL table, keyed like its primary or unique key.

Rows are frozen, so a transaction's snapshot is a shallow copy of each dict (rows are replaced,
never changed in place) and rolling back is putting the copies back.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time
from typing import Any

from bot.domain.linking import Guesses, Identity, LinkCode
from bot.domain.models import (
    AnswerRecord,
    CardState,
    Group,
    Learner,
    Mock,
    MockItem,
    ProblemReport,
    Prompt,
    PushKey,
    PushOutcome,
    Round,
)

# The period of a member's running total in a group, as bot.storage.points.ALL_TIME.
ALL_TIME = date(1, 1, 1)


def utc(at: datetime) -> datetime:
    """As the SQL column type: naive datetimes are refused, aware ones are kept in UTC."""
    if at.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return at.astimezone(UTC)


def maybe_utc(at: datetime | None) -> datetime | None:
    return None if at is None else utc(at)


def minutes(at: time | None) -> time | None:
    """A local time as stored (an "HH:MM" column): seconds and zone do not survive."""
    return None if at is None else time(at.hour, at.minute)


@dataclass(frozen=True, slots=True)
class LearnerRow:
    learner: Learner
    created_at: datetime
    next_push_at: datetime | None = None
    points: int = 0  # ever earned, which the all-time board starts from
    digest_next_at: datetime | None = None  # the next weekly digest owed (None: digest off)


@dataclass(frozen=True, slots=True)
class AnswerRow:
    id: int
    learner_id: int
    record: AnswerRecord


@dataclass(frozen=True, slots=True)
class RoundRow:
    round: Round
    started_at: datetime
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class GroupAnswerRow:
    letter: str
    correct: bool
    answered_at: datetime
    points: int = 0
    run: int = 0


@dataclass(frozen=True, slots=True)
class GroupRow:
    group: Group
    created_at: datetime
    next_push_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PushRow:
    key: PushKey
    claimed_at: datetime
    outcome: PushOutcome


@dataclass(frozen=True, slots=True)
class MockItemRow:
    item: MockItem
    answered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReportSubscriptionRow:
    private_chat_id: str
    created_at: datetime
    next_push_at: datetime | None


@dataclass(frozen=True, slots=True)
class ExamRow:
    passed: bool
    recorded_at: datetime


@dataclass(slots=True)
class Tables:
    """Every table; dicts keep insertion order, which stands in for the database's row order."""

    learners: dict[int, LearnerRow] = field(default_factory=dict)
    cards: dict[tuple[int, str], CardState] = field(default_factory=dict)  # (learner, question)
    answers: dict[int, AnswerRow] = field(default_factory=dict)
    prompts: dict[int, Prompt] = field(default_factory=dict)
    rounds: dict[int, RoundRow] = field(default_factory=dict)
    group_answers: dict[tuple[int, int], GroupAnswerRow] = field(default_factory=dict)  # (prompt, learner)
    groups: dict[tuple[str, str], GroupRow] = field(default_factory=dict)  # (platform, chat)
    members: dict[tuple[str, str, int], datetime] = field(default_factory=dict)  # -> joined_at
    # (platform, chat, period, learner) -> points; period is a Monday or ALL_TIME
    group_points: dict[tuple[str, str, date, int], int] = field(default_factory=dict)
    pushes: dict[int, PushRow] = field(default_factory=dict)
    mocks: dict[int, Mock] = field(default_factory=dict)
    mock_items: dict[tuple[int, int], MockItemRow] = field(default_factory=dict)  # (mock, position)
    exams: dict[tuple[int, date], ExamRow] = field(default_factory=dict)  # (learner, day)
    handled_updates: dict[tuple[str, str], datetime] = field(default_factory=dict)  # -> handled_at
    handled_replies: dict[tuple[str, str], str] = field(default_factory=dict)  # kept until delivered
    adapter_state: dict[tuple[str, str], str] = field(default_factory=dict)  # (platform, key) -> value
    reports: dict[int, tuple[int, ProblemReport]] = field(default_factory=dict)  # id -> (learner, report)
    # (platform, group chat, admin learner) -> the weekly group report they asked for
    report_subscriptions: dict[tuple[str, str, int], ReportSubscriptionRow] = field(default_factory=dict)
    identities: dict[tuple[str, str], Identity] = field(default_factory=dict)  # (platform, user id)
    link_codes: dict[str, LinkCode] = field(default_factory=dict)  # by code hash
    link_guesses: dict[tuple[str, str], Guesses] = field(default_factory=dict)  # (platform, user id)
    # The last id handed out per table: like a sequence, never reused, but rolled back with the rest.
    last_ids: dict[str, int] = field(default_factory=dict)

    def snapshot(self) -> Tables:
        """A copy to restore on rollback; shallow is enough because rows are immutable."""
        copies: dict[str, Any] = {f.name: dict(getattr(self, f.name)) for f in fields(self)}
        return Tables(**copies)

    def restore(self, earlier: Tables) -> None:
        """Puts a snapshot's rows back into these tables, which the repositories hold."""
        for f in fields(self):
            setattr(self, f.name, getattr(earlier, f.name))

    def next_id(self, table: str) -> int:
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]


def top_by_points(rows: list[tuple[int, str, int]], top: int) -> list[tuple[int, str, int]]:
    """The leaderboard's cut: the best `top` rows, plus everyone tied with the last of them."""
    rows = sorted(rows, key=lambda row: (-row[2], row[1], row[0]))
    if len(rows) <= top:
        return rows
    last = rows[top - 1][2]
    return list(itertools.takewhile(lambda row: row[2] >= last, rows))
