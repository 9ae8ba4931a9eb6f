"""Tables. Every timestamp is stored as UTC and comes back timezone-aware on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# BigInteger ids that still autoincrement on SQLite (which only does so for INTEGER PRIMARY KEY).
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that must be aware on the way in and is aware (UTC) on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to storage")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class LearnerRow(Base):
    __tablename__ = "learners"
    __table_args__ = (UniqueConstraint("platform", "user_id", name="uq_learners_platform_user"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    # The account pushes go to, one of the learner's `identities` (which find the learner): with
    # its address here the scheduler's due-time query reads no other table.
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(128))
    timezone: Mapped[str | None] = mapped_column(String(64))
    remind_at: Mapped[str | None] = mapped_column(String(5))  # HH:MM local
    exam_date: Mapped[date | None] = mapped_column(Date)
    daily_goal: Mapped[int] = mapped_column(SmallInteger)
    private_chat_id: Mapped[str | None] = mapped_column(String(64))
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the scheduler next owes this learner a push (daily prompt, streak check or exam milestone);
    # indexed so a tick reads only what is due instead of scanning every learner.
    next_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    certified_on: Mapped[date | None] = mapped_column(Date)  # latest pass: renewal anniversaries
    # Points ever earned, kept with each answer: the all-time board reads it instead of every answer.
    points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The daily-goal streak: goal days in the run, the last day met or covered by a freeze, freezes held.
    streak_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    streak_day: Mapped[date | None] = mapped_column(Date)
    streak_freezes: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    # The readiness forecast last shown, so the next one can say what moved.
    readiness_mean: Mapped[float | None] = mapped_column(Float)
    readiness_pass: Mapped[float | None] = mapped_column(Float)
    # The weekly digest (opt-in) and when the next one is owed: Sunday evening, the learner's time.
    digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    digest_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class CardRow(Base):
    __tablename__ = "cards"
    __table_args__ = (Index("ix_cards_learner_due", "learner_id", "due"),)

    learner_id: Mapped[int] = mapped_column(
        Id, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    state: Mapped[int] = mapped_column(SmallInteger)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)
    question_version: Mapped[int | None] = mapped_column(SmallInteger)  # NULL: version 1


class AnswerRow(Base):
    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_learner_time", "learner_id", "answered_at"),
                      Index("ix_answers_question_first", "question_id", "is_review"))

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(Id, ForeignKey("learners.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(16))
    domain: Mapped[int] = mapped_column(SmallInteger)
    correct: Mapped[bool] = mapped_column(Boolean)
    is_review: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    points: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    choice: Mapped[str | None] = mapped_column(String(1))  # the stored choice picked (A-D)
    question_version: Mapped[int | None] = mapped_column(SmallInteger)


_OPEN_GROUP = text("closed_at IS NULL AND closes_at IS NOT NULL")


class PromptRow(Base):
    __tablename__ = "prompts"
    __table_args__ = (
        Index("ix_prompts_chat_open", "platform", "chat_id", "closed_at"),
        # The few group questions still open, out of every one ever asked (migration 0010).
        Index("ix_prompts_open_group", "closes_at", sqlite_where=_OPEN_GROUP, postgresql_where=_OPEN_GROUP),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    learner_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("learners.id", ondelete="CASCADE")
    )
    question_id: Mapped[str] = mapped_column(String(16))
    daily: Mapped[bool] = mapped_column(Boolean)
    domain: Mapped[int | None] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # group questions
    round_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("rounds.id", ondelete="CASCADE", name="fk_prompts_round_id"), index=True
    )
    round_position: Mapped[int | None] = mapped_column(SmallInteger)  # 1-based, within its round
    choice_order: Mapped[str | None] = mapped_column(String(4))  # shown order; NULL: stored order
    scope_word: Mapped[str | None] = mapped_column(String(32))  # the /quiz topic word, for Next
    question_version: Mapped[int | None] = mapped_column(SmallInteger)


class RoundRow(Base):
    """A live group round: `total` questions in a row, each open `seconds`; one unfinished per chat."""

    __tablename__ = "rounds"
    __table_args__ = (
        Index("uq_rounds_one_running", "platform", "chat_id", unique=True,
              sqlite_where=text("finished_at IS NULL"), postgresql_where=text("finished_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    total: Mapped[int] = mapped_column(SmallInteger)
    seconds: Mapped[int] = mapped_column(SmallInteger)
    domain: Mapped[int | None] = mapped_column(SmallInteger)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class GroupAnswerRow(Base):
    """One member's answer to a group question; the primary key makes it one per member."""

    __tablename__ = "group_answers"

    prompt_id: Mapped[int] = mapped_column(
        Id, ForeignKey("prompts.id", ondelete="CASCADE"), primary_key=True
    )
    learner_id: Mapped[int] = mapped_column(
        Id, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    letter: Mapped[str] = mapped_column(String(1))
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    points: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")  # with bonuses
    run: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")  # correct in a row


class GroupChatRow(Base):
    """A group chat the bot is in, with the settings its admins chose."""

    __tablename__ = "group_chats"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(128))
    timezone: Mapped[str | None] = mapped_column(String(64))
    daily_question_at: Mapped[str | None] = mapped_column(String(5))  # HH:MM local
    round_seconds: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class GroupMemberRow(Base):
    """A learner seen in a group chat: who its leaderboard ranks."""

    __tablename__ = "group_members"
    __table_args__ = (Index("ix_group_members_learner", "learner_id"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        Id, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GroupPointsRow(Base):
    """A member's points in one of a group's weeks (from Monday 00:00 in the group's zone) or of all
    time, added to with each answer. A board reads the top rows of its period from the index, so it
    costs the same for 10 members or 10,000, and never sums raw answers. No row: no points."""

    __tablename__ = "group_points"
    __table_args__ = (
        Index("ix_group_points_board", "platform", "chat_id", "period", "points"),
        Index("ix_group_points_learner", "learner_id"),
    )

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The week's Monday, local to the group; ALL_TIME (bot.storage.groups) for the running total.
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        Id, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    points: Mapped[int] = mapped_column(Integer)


class GroupReportSubscriptionRow(Base):
    """An admin who asked for a group's report every Monday morning (their time), by private message."""

    __tablename__ = "group_report_subscriptions"
    __table_args__ = (Index("ix_group_report_subscriptions_learner", "learner_id"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the group
    learner_id: Mapped[int] = mapped_column(
        Id, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    private_chat_id: Mapped[str] = mapped_column(String(64))  # where the admin is reached
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class PushRow(Base):
    """One scheduled push, claimed before it is sent: the unique key makes it happen at most once."""

    __tablename__ = "pushes"
    __table_args__ = (UniqueConstraint("kind", "platform", "chat_id", "local_date",
                                       name="uq_pushes_once_per_day"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    learner_id: Mapped[int | None] = mapped_column(Id, ForeignKey("learners.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16))


class MockRow(Base):
    """A timed mock exam; the partial unique index allows one unfinished mock per learner."""

    __tablename__ = "mocks"
    __table_args__ = (
        Index("uq_mocks_one_running", "learner_id", unique=True,
              sqlite_where=text("finished_at IS NULL"), postgresql_where=text("finished_at IS NULL")),
        Index("ix_mocks_learner_started", "learner_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(Id, ForeignKey("learners.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    total: Mapped[int] = mapped_column(SmallInteger)
    position: Mapped[int] = mapped_column(SmallInteger)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(8))
    correct: Mapped[int | None] = mapped_column(SmallInteger)
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the current question, last shown


class MockItemRow(Base):
    """One question of a mock, in the order asked, with the learner's answer once given."""

    __tablename__ = "mock_items"

    mock_id: Mapped[int] = mapped_column(
        Id, ForeignKey("mocks.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    question_id: Mapped[str] = mapped_column(String(16))
    domain: Mapped[int] = mapped_column(SmallInteger)
    letter: Mapped[str | None] = mapped_column(String(1))
    correct: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    choice_order: Mapped[str | None] = mapped_column(String(4))
    question_version: Mapped[int | None] = mapped_column(SmallInteger)


class ExamAttemptRow(Base):
    """A sitting of the real exam as the learner reported it; one per day (a repeat corrects it)."""

    __tablename__ = "exam_attempts"
    __table_args__ = (UniqueConstraint("learner_id", "taken_on", name="uq_exam_attempts_day"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(Id, ForeignKey("learners.id", ondelete="CASCADE"))
    taken_on: Mapped[date] = mapped_column(Date)
    passed: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuestionReportRow(Base):
    """A learner's report of a problem with a question, against the version they saw."""

    __tablename__ = "question_reports"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(Id, ForeignKey("learners.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(16), index=True)
    question_version: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HandledUpdateRow(Base):
    """A platform delivery whose event committed: written in the event's own transaction, so a
    redelivered update finds it and changes nothing. Pruned after a couple of days."""

    __tablename__ = "handled_updates"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The replies, kept until the adapter says they were delivered: a redelivery after a crash
    # between commit and send gets them again (bot.outbox).
    replies: Mapped[str | None] = mapped_column(Text)


class AdapterStateRow(Base):
    """A small fact an adapter shares between its instances, by key (see bot.ports.storage)."""

    __tablename__ = "adapter_state"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdentityRow(Base):
    """One account on one platform and the learner it is; linked accounts share a learner."""

    __tablename__ = "identities"
    __table_args__ = (Index("ix_identities_learner", "learner_id"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    learner_id: Mapped[int] = mapped_column(Id, ForeignKey("learners.id", ondelete="CASCADE"))
    private_chat_id: Mapped[str | None] = mapped_column(String(64))
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LinkCodeRow(Base):
    """A /link code, stored as its SHA-256 so the table gives no usable code; single use."""

    __tablename__ = "link_codes"
    __table_args__ = (Index("ix_link_codes_learner", "learner_id"),)

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    learner_id: Mapped[int] = mapped_column(Id, ForeignKey("learners.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))  # the account that made it
    user_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LinkGuessRow(Base):
    """Wrong codes an account sent with /link CODE, and the lock they earned (by account, not by
    learner, so one person cannot guess on; no row: no wrong codes)."""

    __tablename__ = "link_guesses"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    wrong: Mapped[int] = mapped_column(SmallInteger)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
