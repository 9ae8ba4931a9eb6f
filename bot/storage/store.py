"""The core's storage interface: a unit of work whose methods take and return domain values."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.domain.cards import CardState
from bot.domain.models import (
    DEFAULT_GOAL,
    AnswerRecord,
    ExamAttempt,
    FirstAttempt,
    Group,
    Learner,
    Mock,
    MockItem,
    Prompt,
    Streak,
)
from bot.domain.selection import DomainRecord
from bot.events import Person
from bot.storage.groups import GroupRepo
from bot.storage.repo import to_group, to_prompt
from bot.storage.schema import (
    AnswerRow,
    CardRow,
    ExamAttemptRow,
    GroupAnswerRow,
    GroupChatRow,
    GroupMemberRow,
    GroupPointsRow,
    LearnerRow,
    MockItemRow,
    MockRow,
    PromptRow,
    PushRow,
)


@dataclass(frozen=True, slots=True)
class PushKey:
    """A push about to be claimed: at most one per (kind, chat, local date)."""

    kind: str
    platform: str
    chat_id: str
    learner_id: int | None
    local_date: date


def _learner(row: LearnerRow) -> Learner:
    return Learner(
        id=row.id, platform=row.platform, user_id=row.user_id, display_name=row.display_name,
        timezone=row.timezone,
        remind_at=time.fromisoformat(row.remind_at) if row.remind_at else None,
        exam_date=row.exam_date, daily_goal=row.daily_goal, private_chat_id=row.private_chat_id,
        unreachable=row.unreachable, streak=Streak(row.streak_days, row.streak_day, row.streak_freezes),
        certified_on=row.certified_on,
    )


def _mock(row: MockRow) -> Mock:
    return Mock(
        id=row.id, learner_id=row.learner_id, platform=row.platform, chat_id=row.chat_id,
        kind=row.kind, total=row.total, position=row.position, started_at=row.started_at,
        ends_at=row.ends_at, finished_at=row.finished_at, outcome=row.outcome, correct=row.correct,
    )


def _card(row: CardRow) -> CardState:
    return CardState(
        question_id=row.question_id, state=row.state, stability=row.stability,
        difficulty=row.difficulty, due=row.due, last_review=row.last_review,
    )


class Transaction(GroupRepo):
    """Repositories over one database transaction; committed when the `async with` block ends."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        # Learners first seen in this transaction: they have no history, so callers (and this
        # class) skip the queries that could only come back empty.
        self.new_learner_ids: set[int] = set()
        self._without_prompts: set[int] = set()

    # learners -------------------------------------------------------------------------------
    async def learner(self, person: Person, now: datetime, private_chat_id: str | None) -> Learner:
        """The learner behind `person`, created on first contact; keeps name and DM chat fresh."""
        stmt = select(LearnerRow).where(
            LearnerRow.platform == person.platform, LearnerRow.user_id == person.user_id
        )
        row = (await self._s.execute(stmt)).scalar_one_or_none()
        if row is None:
            row = LearnerRow(
                platform=person.platform, user_id=person.user_id,
                display_name=person.display_name[:128], daily_goal=DEFAULT_GOAL,
                private_chat_id=private_chat_id, unreachable=False, created_at=now,
            )
            try:
                async with self._s.begin_nested():
                    self._s.add(row)
                self.new_learner_ids.add(row.id)
                self._without_prompts.add(row.id)
            except IntegrityError:  # created concurrently by another event from the same person
                row = (await self._s.execute(stmt)).scalar_one()
        if row.display_name != person.display_name[:128]:
            row.display_name = person.display_name[:128]
        if private_chat_id and (row.private_chat_id != private_chat_id or row.unreachable):
            row.private_chat_id, row.unreachable = private_chat_id, False
        await self._s.flush()
        return _learner(row)

    async def find_learner(self, platform: str, user_id: str) -> Learner | None:
        row = (await self._s.execute(select(LearnerRow).where(
            LearnerRow.platform == platform, LearnerRow.user_id == user_id))).scalar_one_or_none()
        return _learner(row) if row else None

    async def update_learner(self, learner: Learner, **changes: Any) -> Learner:
        """Stores new values for the given settings fields and returns the updated learner."""
        allowed = {"timezone", "remind_at", "exam_date", "daily_goal", "unreachable", "streak",
                   "certified_on"}
        assert set(changes) <= allowed, changes
        values = {k: (v.strftime("%H:%M") if isinstance(v, time) else v) for k, v in changes.items()
                  if k != "streak"}
        if (streak := changes.get("streak")) is not None:
            values |= {"streak_days": streak.days, "streak_day": streak.last_day,
                       "streak_freezes": streak.freezes}
        await self._write(update(LearnerRow).where(LearnerRow.id == learner.id).values(**values))
        return replace(learner, **changes)

    async def forget(self, learner_id: int) -> None:
        """Deletes every row about the learner (explicitly, so it holds without FK cascades too)."""
        await self._s.execute(delete(MockItemRow).where(MockItemRow.mock_id.in_(
            select(MockRow.id).where(MockRow.learner_id == learner_id))))
        for table, column in ((MockRow, MockRow.learner_id),
                              (ExamAttemptRow, ExamAttemptRow.learner_id),
                              (GroupAnswerRow, GroupAnswerRow.learner_id),
                              (GroupMemberRow, GroupMemberRow.learner_id),
                              (GroupPointsRow, GroupPointsRow.learner_id),
                              (AnswerRow, AnswerRow.learner_id), (CardRow, CardRow.learner_id),
                              (PromptRow, PromptRow.learner_id)):
            await self._s.execute(delete(table).where(column == learner_id))
        await self._s.execute(delete(LearnerRow).where(LearnerRow.id == learner_id))

    # cards and answers ----------------------------------------------------------------------
    async def cards(self, learner_id: int) -> list[CardState]:
        rows = await self._s.scalars(select(CardRow).where(CardRow.learner_id == learner_id))
        return [_card(r) for r in rows]

    async def card(self, learner_id: int, question_id: str) -> CardState | None:
        row = await self._s.get(CardRow, (learner_id, question_id))
        return _card(row) if row else None

    async def save_card(self, learner_id: int, card: CardState) -> None:
        row = await self._s.get(CardRow, (learner_id, card.question_id))
        if row is None:
            row = CardRow(learner_id=learner_id, question_id=card.question_id)
            self._s.add(row)
        row.state, row.stability, row.difficulty = card.state, card.stability, card.difficulty
        row.due, row.last_review = card.due, card.last_review

    async def count_due(self, learner_id: int, before: datetime) -> int:
        stmt = select(func.count()).select_from(CardRow).where(
            CardRow.learner_id == learner_id, CardRow.due <= before)
        return int((await self._s.execute(stmt)).scalar_one())

    async def record_answer(self, learner_id: int, record: AnswerRecord) -> None:
        self._s.add(AnswerRow(
            learner_id=learner_id, question_id=record.question_id, domain=record.domain,
            correct=record.correct, is_review=record.is_review, answered_at=record.answered_at,
            points=record.points,
        ))

    async def answers_since(self, learner_id: int, since: datetime) -> list[AnswerRecord]:
        stmt = (select(AnswerRow).where(AnswerRow.learner_id == learner_id,
                                        AnswerRow.answered_at >= since)
                .order_by(AnswerRow.answered_at))
        return [AnswerRecord(r.question_id, r.domain, r.correct, r.is_review, r.answered_at, r.points)
                for r in await self._s.scalars(stmt)]

    async def domain_records(self, learner_id: int) -> dict[int, DomainRecord]:
        """Answers and correct answers per domain, counted in the database."""
        stmt = (select(AnswerRow.domain, func.count(), func.sum(case((AnswerRow.correct, 1), else_=0)))
                .where(AnswerRow.learner_id == learner_id).group_by(AnswerRow.domain))
        return {d: DomainRecord(int(n), int(c or 0)) for d, n, c in await self._s.execute(stmt)}

    async def last_question(self, learner_id: int) -> str | None:
        stmt = (select(AnswerRow.question_id).where(AnswerRow.learner_id == learner_id)
                .order_by(AnswerRow.answered_at.desc(), AnswerRow.id.desc()).limit(1))
        return (await self._s.execute(stmt)).scalar_one_or_none()

    # prompts --------------------------------------------------------------------------------
    async def open_prompt(self, platform: str, chat_id: str, learner_id: int | None,
                          question_id: str, daily: bool, domain: int | None,
                          now: datetime, closes_at: datetime | None = None,
                          round_id: int | None = None, round_position: int | None = None) -> Prompt:
        """Posts a new question in a chat, closing any earlier open one asked of the same learner."""
        if learner_id in self._without_prompts:
            self._without_prompts.discard(learner_id)  # nothing of theirs to close yet
        elif learner_id is not None:
            await self._write(update(PromptRow).where(
                PromptRow.platform == platform, PromptRow.chat_id == chat_id,
                PromptRow.learner_id == learner_id, PromptRow.closed_at.is_(None),
            ).values(closed_at=now))
        row = PromptRow(platform=platform, chat_id=chat_id, learner_id=learner_id,
                        question_id=question_id, daily=daily, domain=domain, created_at=now,
                        closes_at=closes_at, round_id=round_id, round_position=round_position)
        self._s.add(row)
        await self._s.flush()
        return to_prompt(row)

    async def prompt(self, prompt_id: int) -> Prompt | None:
        row = await self._s.get(PromptRow, prompt_id)
        return to_prompt(row) if row else None

    async def latest_open_prompt(self, platform: str, chat_id: str,
                                 learner_id: int) -> Prompt | None:
        stmt = (select(PromptRow).where(
            PromptRow.platform == platform, PromptRow.chat_id == chat_id,
            PromptRow.learner_id == learner_id, PromptRow.closed_at.is_(None),
        ).order_by(PromptRow.id.desc()).limit(1))
        row = (await self._s.execute(stmt)).scalar_one_or_none()
        return to_prompt(row) if row else None

    async def close_prompt(self, prompt_id: int, now: datetime) -> bool:
        """Closes an open prompt; False if it was already closed (a double press loses here)."""
        result = await self._write(update(PromptRow).where(
            PromptRow.id == prompt_id, PromptRow.closed_at.is_(None)).values(closed_at=now))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # scheduled pushes ---------------------------------------------------------------------------
    async def lock_due_learners(self, now: datetime, platforms: Collection[str],
                                limit: int) -> list[tuple[Learner, datetime]]:
        """Reachable learners owed a push by `now`, with the instant it was owed, locked for this
        transaction: another instance's tick skips them (PostgreSQL: FOR UPDATE SKIP LOCKED); on
        SQLite a second writer's transaction fails instead, so nobody claims a learner twice."""
        # `platform || ''` keeps SQLite's planner off the (platform, user_id) index, which would
        # scan every learner of the platform; the due-time index reads only the due rows.
        stmt = (select(LearnerRow).where(LearnerRow.next_push_at <= now,
                                         LearnerRow.unreachable.is_(False),
                                         LearnerRow.platform.concat("").in_(platforms))
                .order_by(LearnerRow.next_push_at).limit(limit)
                .with_for_update(skip_locked=True))
        rows = list(await self._s.scalars(stmt))
        return [(_learner(r), r.next_push_at) for r in rows if r.next_push_at is not None]

    async def set_next_pushes(self, when: Mapping[int, datetime | None]) -> None:
        """Moves many learners' next push at once (one executemany by primary key)."""
        if when:
            await self._s.execute(update(LearnerRow),
                                  [{"id": k, "next_push_at": v} for k, v in when.items()])

    async def set_next_push(self, learner_id: int, when: datetime | None) -> None:
        await self._write(update(LearnerRow).where(LearnerRow.id == learner_id)
                          .values(next_push_at=when))

    async def record_pushes(self, pushes: Sequence[PushKey], now: datetime) -> dict[PushKey, int]:
        """Records claimed pushes in one statement; a push already recorded for its day is left
        out of the result (the unique key decides)."""
        if not pushes:
            return {}
        stmt = (self._insert(PushRow).on_conflict_do_nothing(
                    index_elements=["kind", "platform", "chat_id", "local_date"])
                .returning(PushRow.id, PushRow.kind, PushRow.platform, PushRow.chat_id,
                           PushRow.local_date))
        rows = [{"kind": p.kind, "platform": p.platform, "chat_id": p.chat_id,
                 "learner_id": p.learner_id, "local_date": p.local_date, "claimed_at": now,
                 "outcome": "claimed"} for p in pushes]
        by_key = {(p.kind, p.platform, p.chat_id, p.local_date): p for p in pushes}
        result = await self._s.execute(stmt, rows)
        return {by_key[(kind, platform, chat_id, day)]: push_id
                for push_id, kind, platform, chat_id, day in result}

    async def due_counts(self, learner_ids: Collection[int], before: datetime) -> dict[int, int]:
        stmt = (select(CardRow.learner_id, func.count()).where(
            CardRow.learner_id.in_(learner_ids), CardRow.due <= before).group_by(CardRow.learner_id))
        return {lid: int(n) for lid, n in await self._s.execute(stmt)}

    async def answer_counts(self, learner_ids: Collection[int], since: datetime) -> dict[int, int]:
        stmt = (select(AnswerRow.learner_id, func.count()).where(
            AnswerRow.learner_id.in_(learner_ids), AnswerRow.answered_at >= since)
            .group_by(AnswerRow.learner_id))
        return {lid: int(n) for lid, n in await self._s.execute(stmt)}

    async def push_outcome(self, push_id: int, outcome: str) -> None:
        await self._write(update(PushRow).where(PushRow.id == push_id).values(outcome=outcome))

    async def groups_due(self, now: datetime, platforms: Collection[str],
                         limit: int) -> list[tuple[Group, datetime]]:
        stmt = (select(GroupChatRow).where(GroupChatRow.next_push_at <= now,
                                           GroupChatRow.platform.in_(platforms))
                .order_by(GroupChatRow.next_push_at).limit(limit))
        rows = list(await self._s.scalars(stmt))
        return [(to_group(r), r.next_push_at) for r in rows if r.next_push_at is not None]

    async def set_group_schedule(self, group: Group, when: datetime | None) -> None:
        await self._write(update(GroupChatRow).where(
            GroupChatRow.platform == group.platform, GroupChatRow.chat_id == group.chat_id,
        ).values(next_push_at=when))

    async def reschedule_group(self, group: Group, expected: datetime | None,
                               following: datetime | None) -> bool:
        result = await self._write(update(GroupChatRow).where(
            GroupChatRow.platform == group.platform, GroupChatRow.chat_id == group.chat_id,
            GroupChatRow.next_push_at == expected,
        ).values(next_push_at=following))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # mock exams, readiness evidence and exam attempts -----------------------------------------
    async def start_mock(self, learner_id: int, platform: str, chat_id: str, kind: str,
                         questions: Sequence[tuple[str, int]], now: datetime,
                         ends_at: datetime) -> Mock | None:
        """A new mock over (question id, domain) pairs in order; None if one is already running."""
        row = MockRow(learner_id=learner_id, platform=platform, chat_id=chat_id, kind=kind,
                      total=len(questions), position=0, started_at=now, ends_at=ends_at)
        try:
            async with self._s.begin_nested():
                self._s.add(row)
                await self._s.flush()
        except IntegrityError:  # the partial unique index: another mock is still unfinished
            return None
        self._s.add_all(MockItemRow(mock_id=row.id, position=i, question_id=qid, domain=domain,
                                    correct=False) for i, (qid, domain) in enumerate(questions))
        return _mock(row)

    async def mock(self, mock_id: int) -> Mock | None:
        row = await self._s.get(MockRow, mock_id)
        return _mock(row) if row else None

    async def running_mock(self, learner_id: int) -> Mock | None:
        row = (await self._s.execute(select(MockRow).where(
            MockRow.learner_id == learner_id, MockRow.finished_at.is_(None)))).scalar_one_or_none()
        return _mock(row) if row else None

    async def mock_items(self, mock_id: int) -> list[MockItem]:
        stmt = select(MockItemRow).where(MockItemRow.mock_id == mock_id).order_by(MockItemRow.position)
        return [MockItem(r.position, r.question_id, r.domain, r.letter, r.correct)
                for r in await self._s.scalars(stmt)]

    async def answer_mock(self, mock_id: int, position: int, letter: str, correct: bool,
                          now: datetime) -> bool:
        """Moves an unfinished mock past `position`; False if that question was already answered."""
        moved = await self._write(update(MockRow).where(
            MockRow.id == mock_id, MockRow.position == position, MockRow.finished_at.is_(None),
        ).values(position=position + 1))
        if not moved.rowcount:  # type: ignore[attr-defined]
            return False
        await self._write(update(MockItemRow).where(
            MockItemRow.mock_id == mock_id, MockItemRow.position == position,
        ).values(letter=letter, correct=correct, answered_at=now))
        return True

    async def finish_mock(self, mock_id: int, outcome: str, correct: int | None, now: datetime) -> bool:
        """Ends a mock; False if it had already ended (a second caller loses here)."""
        result = await self._write(update(MockRow).where(
            MockRow.id == mock_id, MockRow.finished_at.is_(None),
        ).values(finished_at=now, outcome=outcome, correct=correct))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def expired_mocks(self, now: datetime, limit: int = 100) -> list[Mock]:
        """Unfinished mocks whose time is up."""
        stmt = (select(MockRow).where(MockRow.ends_at <= now, MockRow.finished_at.is_(None))
                .order_by(MockRow.ends_at).limit(limit))
        return [_mock(r) for r in await self._s.scalars(stmt)]

    async def mock_history(self, learner_id: int, limit: int) -> list[Mock]:
        stmt = (select(MockRow).where(MockRow.learner_id == learner_id)
                .order_by(MockRow.started_at.desc(), MockRow.id.desc()).limit(limit))
        return [_mock(r) for r in await self._s.scalars(stmt)]

    async def mock_seen(self, learner_id: int) -> set[str]:
        """Every question shown in one of the learner's mocks (up to where each one stopped)."""
        stmt = (select(MockItemRow.question_id).join(MockRow, MockRow.id == MockItemRow.mock_id)
                .where(MockRow.learner_id == learner_id, MockItemRow.position <= MockRow.position))
        return set(await self._s.scalars(stmt))

    async def first_attempts(self, learner_id: int) -> list[FirstAttempt]:
        """The learner's first answer to each question, from practice or a mock, oldest first."""
        practice = (select(AnswerRow.question_id, AnswerRow.domain, AnswerRow.correct,
                           AnswerRow.answered_at)
                    .where(AnswerRow.learner_id == learner_id))
        mocks = (select(MockItemRow.question_id, MockItemRow.domain, MockItemRow.correct,
                        MockItemRow.answered_at)
                 .join(MockRow, MockRow.id == MockItemRow.mock_id)
                 .where(MockRow.learner_id == learner_id))
        first: dict[str, FirstAttempt] = {}
        for stmt in (practice, mocks):
            for qid, domain, correct, at in await self._s.execute(stmt):
                if at is not None and (qid not in first or at < first[qid].at):  # None: unanswered
                    first[qid] = FirstAttempt(qid, domain, correct, at)
        return sorted(first.values(), key=lambda a: a.at)

    async def record_exam_attempt(self, learner_id: int, taken_on: date, passed: bool,
                                  now: datetime) -> None:
        """Records a sitting of the real exam; a second report for the same day corrects the first."""
        stmt = select(ExamAttemptRow).where(ExamAttemptRow.learner_id == learner_id,
                                            ExamAttemptRow.taken_on == taken_on)
        row = (await self._s.execute(stmt)).scalar_one_or_none()
        if row is None:
            try:
                async with self._s.begin_nested():
                    self._s.add(ExamAttemptRow(learner_id=learner_id, taken_on=taken_on,
                                               passed=passed, recorded_at=now))
                return
            except IntegrityError:  # recorded concurrently (a double press)
                row = (await self._s.execute(stmt)).scalar_one()
        row.passed, row.recorded_at = passed, now

    async def exam_attempts(self, learner_id: int) -> list[ExamAttempt]:
        stmt = (select(ExamAttemptRow).where(ExamAttemptRow.learner_id == learner_id)
                .order_by(ExamAttemptRow.taken_on))
        return [ExamAttempt(r.taken_on, r.passed) for r in await self._s.scalars(stmt)]


class Store:
    """Opens transactions on one engine. The engine is made by the composition root.

    SQLite takes one writer at a time; letting concurrent events race for its lock ends in
    "database is locked" after the busy timeout under bursts, so on SQLite this process queues its
    transactions instead. PostgreSQL runs them concurrently.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._one_at_a_time = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self._serialised(), self._sessions.begin() as session:
            yield Transaction(session)

    def _serialised(self) -> AbstractAsyncContextManager[object]:
        return self._one_at_a_time or nullcontext()

