"""Mock exams, first attempts and exam attempts in storage: the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlalchemy import func, select

from bot.domain.exam import MockKind
from bot.domain.models import AnswerRecord, MockOutcome
from bot.events import Person
from bot.storage.schema import ExamAttemptRow, MockItemRow, MockRow
from bot.storage.store import Store
from tests.conftest import START

ALICE = Person("test", "42", "Alice")
QUESTIONS = [("d1-0001", 1), ("d4-0001", 4), ("d5-0001", 5)]
ENDS = START + timedelta(minutes=30)


async def test_one_unfinished_mock_per_learner_even_when_started_at_once(store: Store) -> None:
    async with store.transaction() as tx:
        learner = await tx.learners.learner(ALICE, START, "42")

    async def start() -> bool:
        async with store.transaction() as tx:
            started = await tx.mocks.start_mock(learner.id, "test", "42", MockKind.SPRINT, QUESTIONS,
                                                START, ENDS)
            return started is not None

    assert sorted(await asyncio.gather(*(start() for _ in range(4)))) == [False, False, False, True]
    async with store.transaction() as tx:
        running = await tx.mocks.running_mock(learner.id)
        assert running is not None and running.total == 3 and running.position == 0
        assert await tx.mocks.finish_mock(running.id, MockOutcome.STOPPED, None, START)
        assert not await tx.mocks.finish_mock(running.id, MockOutcome.DONE, 3, START)  # ends once
        assert await tx.mocks.running_mock(learner.id) is None
        full = await tx.mocks.start_mock(learner.id, "test", "42", MockKind.FULL, QUESTIONS, START, ENDS)
        assert full is not None


async def test_answers_move_a_mock_once_and_count_as_first_attempts(store: Store) -> None:
    async with store.transaction() as tx:
        learner = await tx.learners.learner(ALICE, START, "42")
        yesterday = AnswerRecord("d4-0001", 4, True, False, START - timedelta(days=1))
        await tx.answers.record_answer(learner.id, yesterday)
        mock = await tx.mocks.start_mock(learner.id, "test", "42", MockKind.SPRINT, QUESTIONS, START, ENDS)
        assert mock is not None
    later = START + timedelta(minutes=1)

    async def answer(position: int, letter: str) -> bool:
        async with store.transaction() as tx:
            return await tx.mocks.answer_mock(mock.id, position, letter, letter == "B", later)

    assert sorted(await asyncio.gather(answer(0, "B"), answer(0, "C"))) == [False, True]
    assert await answer(1, "A") and not await answer(0, "B")
    async with store.transaction() as tx:
        items = await tx.mocks.mock_items(mock.id)
        assert [(i.letter is not None, i.position) for i in items] == [(True, 0), (True, 1), (False, 2)]
        shown = {"d1-0001", "d4-0001", "d5-0001"}  # position 2 is shown
        assert await tx.mocks.mock_seen(learner.id) == shown
        first = {a.question_id: a for a in await tx.answers.first_attempts(learner.id)}
        assert set(first) == {"d1-0001", "d4-0001"}  # the unanswered one is no evidence
        assert first["d4-0001"].correct and first["d4-0001"].at == START - timedelta(days=1)  # practice first
        assert first["d1-0001"].at == later
        assert [m.id for m in await tx.mocks.expired_mocks(ENDS)] == [mock.id]
        assert await tx.mocks.expired_mocks(ENDS - timedelta(seconds=1)) == []


async def test_exam_attempts_are_one_per_day_and_forgotten_with_the_learner(store: Store) -> None:
    async with store.transaction() as tx:
        learner = await tx.learners.learner(ALICE, START, "42")
        await tx.exams.record_exam_attempt(learner.id, date(2026, 3, 1), False, START)
        await tx.exams.record_exam_attempt(learner.id, date(2026, 3, 1), True, START)
        await tx.exams.record_exam_attempt(learner.id, date(2026, 1, 10), False, START)
        assert [(a.taken_on, a.passed) for a in await tx.exams.exam_attempts(learner.id)] == [
            (date(2026, 1, 10), False), (date(2026, 3, 1), True)]
        await tx.mocks.start_mock(learner.id, "test", "42", MockKind.SPRINT, QUESTIONS, START, ENDS)
    async with store.transaction() as tx:
        await tx.learners.forget(learner.id)
    async with store.engine.connect() as conn:
        for table in (MockRow, MockItemRow, ExamAttemptRow):
            assert await conn.scalar(select(func.count()).select_from(table)) == 0
