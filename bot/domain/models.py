"""Domain values the core works with; storage returns these, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from bot.domain.exam import MockKind


class MockOutcome(StrEnum):
    DONE = "done"  # every question answered
    EXPIRED = "expired"  # the time ran out
    STOPPED = "stopped"  # abandoned, unscored


class PushKind(StrEnum):
    DAILY = "daily"  # the learner's study prompt at their reminder time
    MILESTONE = "milestone"  # an exam countdown day without a reminder set
    RENEWAL = "renewal"  # a yearly anniversary of a reported pass
    STREAK_RISK = "streak_risk"  # the evening nudge while today's goal is unmet
    GROUP_DAILY = "group_daily"  # a group's scheduled question
    GROUP_WEEKLY = "group_weekly"  # a group's Monday board
    DIGEST = "digest"  # a learner's Sunday-evening week in review (opt-in)
    GROUP_REPORT = "group_report"  # a group's Monday report, privately to the admin who asked


class PushOutcome(StrEnum):
    CLAIMED = "claimed"  # recorded, not (yet) sent: a crash here loses the push, never doubles it
    SENT = "sent"
    UNREACHABLE = "unreachable"  # the platform refuses delivery for good
    FAILED = "failed"
    SKIPPED = "skipped"  # claimed, not sent: nothing to say (goal met), or its reader is no admin now


DEFAULT_GOAL = 10
DEFAULT_ROUND_SECONDS = 30


@dataclass(frozen=True, slots=True)
class Streak:
    """Days in a row with the daily goal met (see bot.domain.streaks for the rules)."""

    days: int = 0  # goal days in the unbroken run (a day covered by a freeze keeps it, adds nothing)
    last_day: date | None = None  # the latest local day met, or covered by a freeze
    freezes: int = 0  # held, each covering one missed day


@dataclass(frozen=True, slots=True)
class Learner:
    id: int
    platform: str
    user_id: str
    display_name: str
    timezone: str | None  # None: the deployment's DEFAULT_TIMEZONE applies
    remind_at: time | None
    exam_date: date | None
    daily_goal: int
    private_chat_id: str | None
    unreachable: bool
    streak: Streak = Streak()
    certified_on: date | None = None  # the latest passed exam: renewal reminders on its anniversaries
    last_readiness: tuple[float, float] | None = None  # (mean %, pass chance) last shown in /stats
    digest: bool = False  # opted in to the weekly digest (/digest on)


@dataclass(frozen=True, slots=True)
class Prompt:
    """A question posted in a chat, open until answered (private) or closed (group)."""

    id: int
    platform: str
    chat_id: str
    learner_id: int | None  # the learner it was asked of; None for a group question
    question_id: str
    daily: bool
    domain: int | None
    created_at: datetime
    closed_at: datetime | None
    closes_at: datetime | None = None
    round_id: int | None = None  # part of a live round, as its `round_position`-th question (1-based)
    round_position: int | None = None
    choice_order: str | None = None  # the order its choices were shown in (bot.domain.questions)
    scope_word: str | None = None  # the topic word the /quiz was asked with, kept for Next
    question_version: int | None = None


@dataclass(frozen=True, slots=True)
class Credit:
    """An answer's points for a learner's own total and, for each of their groups (platform, chat
    id, that group's Monday), the week's board and the all-time one."""

    learner_id: int
    points: int
    weeks: tuple[tuple[str, str, date], ...] = ()


@dataclass(frozen=True, slots=True)
class GroupAnswer:
    """A member's answer to a group question, with what it earned."""

    learner_id: int
    letter: str  # as shown
    correct: bool
    answered_at: datetime  # when it was made (the platform's stamp)
    run: int = 0  # a round: correct answers in a row, this one included
    points: int = 0  # bonuses included


@dataclass(frozen=True, slots=True)
class Round:
    """A live group round: `total` questions in a row, each open for `seconds`."""

    id: int
    platform: str
    chat_id: str
    total: int
    seconds: int
    domain: int | None


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    question_id: str
    domain: int
    correct: bool
    is_review: bool
    answered_at: datetime
    points: int = 0
    choice: str | None = None  # the stored choice picked, A-D (item statistics)
    question_version: int | None = None


@dataclass(frozen=True, slots=True)
class Group:
    platform: str
    chat_id: str
    title: str
    timezone: str | None
    daily_question_at: time | None
    round_seconds: int


@dataclass(frozen=True, slots=True)
class Standing:
    """One row of a leaderboard."""

    rank: int
    learner_id: int
    name: str
    points: int


@dataclass(frozen=True, slots=True)
class Mock:
    """A timed mock exam. `position` is the next question to answer; `finished_at` ends it for good."""

    id: int
    learner_id: int
    platform: str
    chat_id: str
    kind: MockKind
    total: int
    position: int
    started_at: datetime
    ends_at: datetime
    finished_at: datetime | None
    outcome: MockOutcome | None
    correct: int | None  # set when scored (done or expired)
    shown_at: datetime | None = None  # when its current question was last shown


@dataclass(frozen=True, slots=True)
class MockItem:
    position: int
    question_id: str
    domain: int
    letter: str | None  # as shown; None: not answered
    correct: bool
    choice_order: str | None = None
    question_version: int | None = None


@dataclass(frozen=True, slots=True)
class FirstAttempt:
    """The first time a learner answered a question, in practice or in a mock: readiness evidence."""

    question_id: str
    domain: int
    correct: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class ExamAttempt:
    taken_on: date
    passed: bool


@dataclass(frozen=True, slots=True)
class CardState:
    """The FSRS memory state of one learner x question, as stored."""

    question_id: str
    state: int
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    question_version: int | None = None  # the question version it learned (None: 1)


@dataclass(frozen=True, slots=True)
class DomainRecord:
    answered: int = 0
    correct: int = 0

    @property
    def weakness(self) -> float:
        """Smoothed error rate (Laplace): 0.5 with no evidence, toward 1 for a weak domain."""
        return (self.answered - self.correct + 1) / (self.answered + 2)


@dataclass(frozen=True, slots=True)
class PushKey:
    """A push about to be claimed: at most one per (kind, chat, local date)."""

    kind: PushKind
    platform: str
    chat_id: str
    learner_id: int | None
    local_date: date


@dataclass(frozen=True, slots=True)
class ItemAnswer:
    """A learner's first answer to a question version: what item analysis reads."""

    learner_id: int
    question_id: str
    version: int
    choice: str | None  # the stored choice picked (A-D); None for answers from before it was kept
    correct: bool


class ReportKind(StrEnum):
    WRONG_KEY = "wrong_key"
    UNCLEAR = "unclear"
    OUTDATED = "outdated"
    TYPO = "typo"

    @property
    def label(self) -> str:
        return {"wrong_key": "Wrong answer key", "unclear": "Unclear", "outdated": "Outdated",
                "typo": "Typo"}[self.value]


@dataclass(frozen=True, slots=True)
class ProblemReport:
    question_id: str
    version: int
    kind: str
    text: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MissedQuestion:
    """A question group members answered, with how many of their answers missed it."""

    question_id: str
    answered: int
    missed: int
    members: int  # distinct members who answered it


@dataclass(frozen=True, slots=True)
class QuietMember:
    """A group member with an exam coming who has not answered anything lately."""

    name: str
    exam_date: date


@dataclass(frozen=True, slots=True)
class ReportSubscription:
    """An admin who asked for a group's report every Monday, and the private chat it goes to."""

    group: Group
    admin: Learner
    private_chat_id: str
