"""The storage contract: the same tests on the in-memory store, SQLite and PostgreSQL, so the memory
store (tests/memory_store.py) can stand in for the database wherever the core is tested.

Then whole conversations run on the memory store and on a database and must read the same.
"""

from __future__ import annotations

import asyncio
import random
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core import StudyBot
from bot.domain.cards import make_scheduler
from bot.domain.exam import MockKind
from bot.domain.models import (
    AnswerRecord,
    CardState,
    Credit,
    DomainRecord,
    GroupAnswer,
    Learner,
    MockOutcome,
    PushKey,
    PushKind,
    PushOutcome,
    Standing,
    Streak,
)
from bot.domain.questions import Bank
from bot.events import Person
from bot.outgoing import Outgoing
from bot.ports.clock import FixedClock
from bot.ports.storage import Store, UnitOfWork
from tests.chat import Chatter
from tests.conftest import START
from tests.memory_store import MemoryStore

ALICE = Person("test", "42", "Alice")
BOB = Person("test", "43", "Bob")
CAROL = Person("test", "44", "Carol")
CHICAGO = ZoneInfo("America/Chicago")
WEEK = START.date()  # START is a Monday
QUESTIONS = [("d1-0001", 1), ("d4-0001", 4), ("d5-0001", 5)]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """The conftest's databases plus "memory". Overridden here (not parametrizing `any_store`)
    because the conftest's `store` can only be requested with its `db_url` parameter set."""
    if request.param == "sqlite":
        path = tmp_path / "bot.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")  # skips without PostgreSQL
        return url
    return "memory"


@pytest.fixture
def any_store(request: pytest.FixtureRequest, db_url: str) -> Store:
    """A MemoryStore, or the conftest's SQL store on SQLite or PostgreSQL."""
    if db_url == "memory":
        return MemoryStore()  # typed as bot.ports.storage.Store: mypy checks the Protocol here
    sql: Store = request.getfixturevalue("store")
    return sql


async def people(tx: UnitOfWork, *persons: Person) -> list[Learner]:
    return [await tx.learners.learner(p, START, p.user_id) for p in persons]


# Transactions


async def test_a_transaction_that_raises_leaves_no_trace(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        (alice,) = await people(tx, ALICE)
        prompt = await tx.prompts.open_prompt("test", "42", alice.id, "d1-0001", False, 1, START)
    claim = [PushKey(PushKind.DAILY, "test", "42", alice.id, WEEK)]
    with pytest.raises(RuntimeError, match="boom"):
        async with any_store.transaction() as tx:
            await tx.learners.update_learner(alice, daily_goal=30, timezone="Europe/Paris")
            assert await tx.prompts.close_prompt(prompt.id, START)
            await tx.answers.record_answer(alice.id, AnswerRecord("d1-0001", 1, True, False, START))
            await tx.answers.save_card(alice.id, CardState("d1-0001", 2, 1.0, 5.0, START, START))
            (bob,) = await people(tx, BOB)
            assert await tx.groups.join_group("test", "-1", alice.id, START)
            await tx.points.add_points(alice.id, 10, [("test", "-1", WEEK)])
            assert await tx.mocks.start_mock(alice.id, "test", "42", MockKind.SPRINT, QUESTIONS, START,
                                             START + timedelta(minutes=30)) is not None
            assert await tx.rounds.start_round("test", "-1", 3, 30, None, START) is not None
            await tx.exams.record_exam_attempt(alice.id, date(2026, 3, 1), True, START)
            assert len(await tx.pushes.record_pushes(claim, START)) == 1
            assert await tx.learners.find_learner("test", "43") == bob  # seen inside
            raise RuntimeError("boom")
    async with any_store.transaction() as tx:
        assert await tx.learners.find_learner("test", "43") is None
        stored = await tx.learners.find_learner("test", "42")
        assert stored is not None and (stored.daily_goal, stored.timezone) == (10, None)
        assert await tx.answers.answers_since(alice.id, START - timedelta(days=1)) == []
        assert await tx.answers.cards(alice.id) == []
        assert await tx.groups.learner_groups(alice.id) == []
        assert await tx.points.leaderboard("test", "-1", None) == []
        assert await tx.mocks.running_mock(alice.id) is None
        assert await tx.exams.exam_attempts(alice.id) == []
        assert await tx.rounds.start_round("test", "-1", 3, 30, None, START) is not None
        assert len(await tx.pushes.record_pushes(claim, START)) == 1
        assert await tx.prompts.close_prompt(prompt.id, START)  # it was still open


@pytest.mark.parametrize("first_write", ["learner", "mock", "round", "join"])
async def test_a_savepoint_write_first_in_a_transaction_rolls_back_too(any_store: Store,
                                                                       first_write: str) -> None:
    """On SQLite the driver used to send no BEGIN before a SAVEPOINT, so such a first write was its
    own transaction and survived the rollback (bot/storage/engine.py now sends BEGIN itself)."""
    async with any_store.transaction() as tx:
        (alice,) = await people(tx, ALICE)
    with pytest.raises(RuntimeError, match="boom"):
        async with any_store.transaction() as tx:
            if first_write == "learner":
                await people(tx, BOB)
            elif first_write == "mock":
                await tx.mocks.start_mock(alice.id, "test", "42", MockKind.SPRINT, QUESTIONS, START, START)
            elif first_write == "round":
                await tx.rounds.start_round("test", "-1", 3, 30, None, START)
            else:
                await tx.groups.join_group("test", "-1", alice.id, START)
            raise RuntimeError("boom")
    async with any_store.transaction() as tx:
        assert await tx.learners.find_learner("test", "43") is None
        assert await tx.mocks.running_mock(alice.id) is None
        assert await tx.rounds.start_round("test", "-1", 3, 30, None, START) is not None
        assert await tx.groups.join_group("test", "-1", alice.id, START)


async def test_a_refused_write_does_not_undo_the_rest_of_the_transaction(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        alice, bob = await people(tx, ALICE, BOB)
        group = await tx.prompts.open_prompt("test", "-1", None, "d1-0001", False, None, START)
        assert await tx.rounds.add_group_answer(group.id, alice.id, "B", True, START)
        assert await tx.rounds.start_round("test", "-1", 3, 30, None, START) is not None
        assert await tx.mocks.start_mock(alice.id, "test", "42", MockKind.SPRINT, QUESTIONS, START,
                                         START) is not None
    async with any_store.transaction() as tx:
        assert not await tx.rounds.add_group_answer(group.id, alice.id, "C", False, START)
        assert await tx.rounds.start_round("test", "-1", 3, 30, None, START) is None
        assert await tx.mocks.start_mock(alice.id, "test", "42", MockKind.FULL, QUESTIONS, START,
                                         START) is None
        await tx.answers.record_answer(bob.id, AnswerRecord("d2-0001", 2, True, False, START))
    async with any_store.transaction() as tx:
        assert len(await tx.answers.answers_since(bob.id, START)) == 1
        assert await tx.rounds.group_results(group.id) == [("Alice", True)]


async def test_racing_transactions_let_exactly_one_win(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        (alice,) = await people(tx, ALICE)
        prompt = await tx.prompts.open_prompt("test", "42", alice.id, "d1-0001", False, None, START)

    async def close() -> bool:
        async with any_store.transaction() as tx:
            return await tx.prompts.close_prompt(prompt.id, START)

    async def start_round() -> bool:
        async with any_store.transaction() as tx:
            return await tx.rounds.start_round("test", "-1", 5, 30, None, START) is not None

    assert sorted(await asyncio.gather(*(close() for _ in range(5)))) == [False] * 4 + [True]
    assert sorted(await asyncio.gather(*(start_round() for _ in range(4)))) == [False] * 3 + [True]


async def test_memory_transactions_run_one_at_a_time() -> None:
    """Memory only: PostgreSQL runs transactions side by side, the memory store (like SQLite) queues
    them, so a read-then-write in one never interleaves with another's."""
    store, order = MemoryStore(), []

    async def bump(name: str) -> None:
        async with store.transaction() as tx:
            order.append(f"{name} in")
            learner = await tx.learners.learner(ALICE, START, None)
            await asyncio.sleep(0)  # a chance for the other to barge in
            await tx.learners.update_learner(learner, daily_goal=learner.daily_goal + 1)
            order.append(f"{name} out")

    await asyncio.gather(bump("a"), bump("b"))
    assert order == ["a in", "a out", "b in", "b out"]
    async with store.transaction() as tx:
        stored = await tx.learners.find_learner("test", "42")
        assert stored is not None and stored.daily_goal == 12


async def test_naive_datetimes_are_refused(any_store: Store) -> None:
    naive = START.replace(tzinfo=None)
    with pytest.raises(Exception, match="naive datetime"):  # SQL wraps the ValueError
        async with any_store.transaction() as tx:
            (alice,) = await people(tx, ALICE)
            await tx.prompts.open_prompt("test", "42", alice.id, "d1-0001", False, None, naive)


# Learners


async def test_first_contact_creates_a_learner_once_and_marks_them_new(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        first = await tx.learners.learner(ALICE, START, "42")
        assert await tx.learners.learner(ALICE, START, None) == first
        assert tx.new_learner_ids == {first.id}
    assert (first.display_name, first.daily_goal, first.private_chat_id) == ("Alice", 10, "42")
    assert (first.timezone, first.remind_at, first.exam_date, first.unreachable) == (None, None, None, False)
    assert first.streak == Streak() and first.certified_on is None
    async with any_store.transaction() as tx:
        await tx.learners.update_learner(first, unreachable=True)
    long_name = Person("test", "42", "A" * 200)
    async with any_store.transaction() as tx:
        again = await tx.learners.learner(long_name, START, None)
        assert tx.new_learner_ids == set()
        assert again.id == first.id and again.display_name == "A" * 128
        assert again.unreachable and again.private_chat_id == "42"  # a group message changes neither
        back = await tx.learners.learner(ALICE, START, "4242")  # a private message: reachable again
        assert (back.display_name, back.private_chat_id, back.unreachable) == ("Alice", "4242", False)
        other = await tx.learners.learner(Person("discord", "42", "Alice"), START, None)
        assert other.id != first.id and tx.new_learner_ids == {other.id}
    async with any_store.transaction() as tx:
        assert await tx.learners.find_learner("test", "42") == back
        assert await tx.learners.find_learner("test", "nobody") is None


async def test_settings_are_stored_as_given_but_times_to_the_minute(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        (alice,) = await people(tx, ALICE)
        streak = Streak(4, date(2026, 3, 1), 2)
        updated = await tx.learners.update_learner(
            alice, timezone="America/Chicago", remind_at=time(19, 5, 30), exam_date=date(2026, 6, 1),
            daily_goal=25, streak=streak, certified_on=date(2025, 5, 1))
        assert updated.remind_at == time(19, 5, 30)  # the value given, not re-read
        assert updated.id == alice.id and updated.streak == streak
    async with any_store.transaction() as tx:
        stored = await tx.learners.find_learner("test", "42")
    assert stored == Learner(alice.id, "test", "42", "Alice", "America/Chicago", time(19, 5),
                             date(2026, 6, 1), 25, "42", False, streak, date(2025, 5, 1))


async def test_forget_deletes_everything_about_the_learner_and_nothing_else(any_store: Store) -> None:
    ends = START + timedelta(minutes=30)
    async with any_store.transaction() as tx:
        alice, bob = await people(tx, ALICE, BOB)
        group = await tx.prompts.open_prompt("test", "-1", None, "d1-0002", False, None, START)
        await tx.groups.group("test", "-1", "Study", START)
        for who in (alice, bob):
            await tx.answers.save_card(who.id, CardState("d1-0001", 2, 1.0, 5.0, START, START))
            await tx.answers.record_answer(who.id, AnswerRecord("d1-0001", 1, True, False, START, 10))
            await tx.prompts.open_prompt("test", who.user_id, who.id, "d1-0001", False, None, START)
            await tx.rounds.add_group_answer(group.id, who.id, "B", True, START)
            await tx.groups.join_group("test", "-1", who.id, START)
            await tx.points.add_points(who.id, 10, [("test", "-1", WEEK)])
            await tx.exams.record_exam_attempt(who.id, date(2026, 3, 1), True, START)
            await tx.mocks.start_mock(who.id, "test", who.user_id, MockKind.SPRINT, QUESTIONS, START, ends)
            await tx.pushes.record_pushes(
                [PushKey(PushKind.DAILY, "test", who.user_id, who.id, WEEK)], START)
    async with any_store.transaction() as tx:
        await tx.learners.forget(alice.id)
    async with any_store.transaction() as tx:
        assert await tx.learners.find_learner("test", "42") is None
        assert await tx.link.identities(alice.id) == []
        assert [i.user_id for i in await tx.link.identities(bob.id)] == ["43"]
        assert await tx.answers.cards(alice.id) == []
        assert await tx.answers.answers_since(alice.id, START) == []
        assert await tx.answers.first_attempts(alice.id) == []
        assert await tx.prompts.latest_open_prompt("test", "42", alice.id) is None
        assert await tx.mocks.mock_history(alice.id, 5) == [] and await tx.mocks.mock_seen(alice.id) == set()
        assert await tx.exams.exam_attempts(alice.id) == []
        assert await tx.groups.learner_groups(alice.id) == []
        assert await tx.rounds.group_results(group.id) == [("Bob", True)]
        assert await tx.rounds.group_answer_count(group.id) == 1
        for week in (WEEK, None):
            assert await tx.points.leaderboard("test", "-1", week) == [Standing(1, bob.id, "Bob", 10)]
        # Her push row went too (by cascade in SQL): the same push can be claimed again, Bob's not.
        again = [PushKey(PushKind.DAILY, "test", p.user_id, None, WEEK) for p in (alice, bob)]
        assert list(await tx.pushes.record_pushes(again, START)) == [again[0]]
        # Bob keeps everything.
        assert len(await tx.answers.cards(bob.id)) == 1
        assert len(await tx.answers.answers_since(bob.id, START)) == 1
        assert await tx.prompts.latest_open_prompt("test", "43", bob.id) is not None
        assert len(await tx.mocks.mock_history(bob.id, 5)) == 1
        assert len(await tx.exams.exam_attempts(bob.id)) == 1
        assert [g.chat_id for g in await tx.groups.learner_groups(bob.id)] == ["-1"]
        returning = await tx.learners.learner(ALICE, START, "42")
        assert tx.new_learner_ids == {returning.id}  # a first contact again


# Cards and answers


async def test_cards_upsert_and_count_due(any_store: Store) -> None:
    soon, later = START + timedelta(days=1), START + timedelta(days=5)
    async with any_store.transaction() as tx:
        alice, bob, carol = await people(tx, ALICE, BOB, CAROL)
        await tx.answers.save_card(alice.id, CardState("d1-0001", 1, None, None, soon, None))
        await tx.answers.save_card(alice.id, CardState("d1-0002", 2, 2.5, 5.0, later, START))
        await tx.answers.save_card(bob.id, CardState("d1-0001", 2, 2.5, 5.0, soon, START))
        moved = CardState("d1-0001", 2, 3.5, 4.0, later.astimezone(CHICAGO), START.astimezone(CHICAGO))
        await tx.answers.save_card(alice.id, moved)  # the same card again: replaced
    async with any_store.transaction() as tx:
        cards = sorted(await tx.answers.cards(alice.id), key=lambda c: c.question_id)
        assert [c.question_id for c in cards] == ["d1-0001", "d1-0002"] and cards[0] == moved
        assert cards[0].due.utcoffset() == timedelta(0)  # stored in UTC, the same instant
        assert await tx.answers.card(alice.id, "d1-0001") == moved
        assert await tx.answers.card(alice.id, "d9-0009") is None
        assert await tx.answers.count_due(alice.id, later) == 2
        assert await tx.answers.count_due(alice.id, later - timedelta(seconds=1)) == 0
        assert await tx.answers.due_counts([alice.id, bob.id, carol.id], soon) == {bob.id: 1}
        assert await tx.answers.due_counts([alice.id, carol.id], later) == {alice.id: 2}
        assert await tx.answers.cards(carol.id) == []


async def test_answers_history_per_domain_and_latest(any_store: Store) -> None:
    t = [START + timedelta(minutes=m) for m in range(4)]
    async with any_store.transaction() as tx:
        alice, bob = await people(tx, ALICE, BOB)
        assert await tx.answers.last_question(alice.id) is None
        records = [AnswerRecord("d1-0001", 1, True, False, t[0], 10),
                   AnswerRecord("d1-0002", 1, False, False, t[2], 1),
                   AnswerRecord("d5-0001", 5, True, True, t[2].astimezone(CHICAGO), 5),
                   AnswerRecord("d2-0001", 2, False, False, t[1], 1)]
        for record in records:
            await tx.answers.record_answer(alice.id, record)
        await tx.answers.record_answer(bob.id, AnswerRecord("d3-0001", 3, True, False, t[3]))
    async with any_store.transaction() as tx:
        since = await tx.answers.answers_since(alice.id, t[1])  # inclusive
        assert sorted(since, key=lambda r: (r.answered_at, r.question_id)) == sorted(
            records[1:], key=lambda r: (r.answered_at, r.question_id))
        assert [r.answered_at for r in since] == [t[1], t[2], t[2]]
        assert since[-1].answered_at.utcoffset() == timedelta(0)
        points = [r.points for r in await tx.answers.answers_since(alice.id, t[0])]
        assert points[:2] == [10, 1] and sorted(points[2:]) == [1, 5]  # at the same instant: any order
        records_by_domain = await tx.answers.domain_records(alice.id)
        assert {d: (r.answered, r.correct) for d, r in records_by_domain.items()} == {
            1: (2, 1), 2: (1, 0), 5: (1, 1)}
        assert await tx.answers.last_question(alice.id) == "d5-0001"  # the later of two at t[2]
        assert await tx.answers.answer_counts([alice.id, bob.id], t[2]) == {alice.id: 2, bob.id: 1}
        assert await tx.answers.answer_counts([alice.id, bob.id], t[0]) == {alice.id: 4, bob.id: 1}
        assert await tx.answers.answer_counts([bob.id], t[3] + timedelta(seconds=1)) == {}


async def test_first_attempts_combine_practice_and_answered_mock_items(any_store: Store) -> None:
    t = [START + timedelta(minutes=m) for m in range(5)]
    async with any_store.transaction() as tx:
        (alice,) = await people(tx, ALICE)
        await tx.answers.record_answer(alice.id, AnswerRecord("d4-0001", 4, True, False, t[1]))
        await tx.answers.record_answer(alice.id, AnswerRecord("d4-0001", 4, False, False, t[0]))
        await tx.answers.record_answer(alice.id, AnswerRecord("d1-0001", 1, False, False, t[4]))
        await tx.answers.record_answer(alice.id, AnswerRecord("d5-0001", 5, True, False, t[2]))
        mock = await tx.mocks.start_mock(alice.id, "test", "42", MockKind.SPRINT,
                                         [*QUESTIONS, ("d8-0001", 8)], t[0], t[4])
        assert mock is not None
        assert await tx.mocks.answer_mock(mock.id, 0, "A", False, t[3])  # d1: before practice
        assert await tx.mocks.answer_mock(mock.id, 1, "B", True, t[3])  # d4: after practice
        assert await tx.mocks.answer_mock(mock.id, 2, "B", False, t[2])  # d5: a tie, practice wins
    async with any_store.transaction() as tx:
        first = await tx.answers.first_attempts(alice.id)
    assert [(a.question_id, a.domain, a.correct, a.at) for a in first] == [
        ("d4-0001", 4, False, t[0]), ("d5-0001", 5, True, t[2]), ("d1-0001", 1, False, t[3])]


async def test_answer_tallies_count_answered_mock_items_too(any_store: Store) -> None:
    later = START + timedelta(hours=1)
    async with any_store.transaction() as tx:
        alice, bob = await people(tx, ALICE, BOB)
        await tx.answers.record_answer(alice.id, AnswerRecord("d1-0001", 1, True, False, START))
        mock = await tx.mocks.start_mock(alice.id, "test", "42", MockKind.SPRINT, QUESTIONS, START, later)
        assert mock is not None
        assert await tx.mocks.answer_mock(mock.id, 0, "B", True, START)  # d1 again
        assert await tx.mocks.answer_mock(mock.id, 1, "A", False, later)  # d4; d5 never answered
    async with any_store.transaction() as tx:
        records = await tx.answers.domain_records(alice.id)
        assert {d: (r.answered, r.correct) for d, r in records.items()} == {1: (2, 2), 4: (1, 0)}
        assert await tx.answers.answer_counts([alice.id, bob.id], START) == {alice.id: 3}
        assert await tx.answers.answer_counts([alice.id], later) == {alice.id: 1}
        assert await tx.answers.domain_records(bob.id) == {}


async def test_question_tallies_count_practice_and_answered_mock_items_per_question(any_store: Store) -> None:
    t = [START + timedelta(minutes=m) for m in range(5)]
    async with any_store.transaction() as tx:
        alice, bob = await people(tx, ALICE, BOB)
        await tx.answers.record_answer(alice.id, AnswerRecord("d4-0001", 4, False, False, t[0]))
        await tx.answers.record_answer(alice.id, AnswerRecord("d4-0001", 4, True, True, t[2]))
        await tx.answers.record_answer(alice.id, AnswerRecord("d1-0001", 1, True, False,
                                                              t[1].astimezone(CHICAGO)))
        await tx.answers.record_answer(bob.id, AnswerRecord("d5-0001", 5, False, False, t[0]))
        mock = await tx.mocks.start_mock(alice.id, "test", "42", MockKind.SPRINT, QUESTIONS, t[0], t[4])
        assert mock is not None
        assert await tx.mocks.answer_mock(mock.id, 0, "A", False, t[3])  # d1: wrong in the mock
        assert await tx.mocks.answer_mock(mock.id, 1, "B", True, t[1])  # d4: before its latest practice
        # d5 never answered in the mock: no answer, so no tally for alice
    async with any_store.transaction() as tx:
        tallies = await tx.answers.question_tallies(alice.id)
        assert [(q.question_id, q.answered, q.wrong, q.last_answered, q.missed) for q in tallies] == [
            ("d1-0001", 2, 1, t[3], True), ("d4-0001", 3, 1, t[2], True)]
        assert all(q.last_answered.utcoffset() == timedelta(0) for q in tallies)
        assert [(q.question_id, q.missed) for q in await tx.answers.question_tallies(bob.id)] == [
            ("d5-0001", True)]
        assert await tx.answers.question_tallies(alice.id + bob.id + 1) == []


# Prompts


async def test_prompts_open_close_once_and_come_due(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        alice, bob = await people(tx, ALICE, BOB)
        first = await tx.prompts.open_prompt("test", "42", alice.id, "d1-0001", True, 1, START)
        elsewhere = await tx.prompts.open_prompt("test", "shared", alice.id, "d1-0002", False, None, START)
        bobs = await tx.prompts.open_prompt("test", "42", bob.id, "d1-0003", False, None, START)
        second = await tx.prompts.open_prompt("test", "42", alice.id, "d2-0001", False, 2,
                                              START.astimezone(CHICAGO))
        assert second.id > first.id and second.closed_at is None and second.learner_id == alice.id
        assert (second.question_id, second.daily, second.domain) == ("d2-0001", False, 2)
    async with any_store.transaction() as tx:
        old = await tx.prompts.prompt(first.id)
        assert old is not None and old.closed_at == START and old.daily  # the new one closed it
        assert await tx.prompts.latest_open_prompt("test", "42", alice.id) == second
        for untouched in (elsewhere, bobs):  # another chat, another learner
            assert await tx.prompts.prompt(untouched.id) == untouched
        assert await tx.prompts.prompt(10_000) is None
        assert await tx.prompts.hold_open(second.id)
        assert await tx.prompts.close_prompt(second.id, START + timedelta(seconds=5))
        assert not await tx.prompts.close_prompt(second.id, START + timedelta(seconds=9))
        assert not await tx.prompts.close_prompt(10_000, START)
        assert not await tx.prompts.hold_open(second.id) and not await tx.prompts.hold_open(10_000)
        closed = await tx.prompts.prompt(second.id)
        assert closed is not None and closed.closed_at == START + timedelta(seconds=5)
        assert await tx.prompts.latest_open_prompt("test", "42", alice.id) is None
        taken = await tx.prompts.take_prompt(bobs.id, START + timedelta(seconds=7))
        assert taken == replace(bobs, closed_at=START + timedelta(seconds=7))
        assert await tx.prompts.take_prompt(bobs.id, START + timedelta(seconds=8)) is None
        assert await tx.prompts.take_prompt(10_000, START) is None
        assert await tx.prompts.prompt(bobs.id) == taken


async def test_due_group_prompts_soonest_first(any_store: Store) -> None:
    at = [START + timedelta(seconds=s) for s in (30, 10, 20, 40)]
    async with any_store.transaction() as tx:
        (alice,) = await people(tx, ALICE)
        opened = [await tx.prompts.open_prompt("test", f"-{i}", None, "d1-0001", False, None, START,
                                               closes_at=when, round_id=None)
                  for i, when in enumerate(at)]
        await tx.prompts.open_prompt("test", "42", alice.id, "d1-0002", False, None, START)  # no deadline
        assert await tx.prompts.close_prompt(opened[2].id, START)
    async with any_store.transaction() as tx:
        due = await tx.prompts.due_group_prompts(START + timedelta(seconds=30))
        assert [p.id for p in due] == [opened[1].id, opened[0].id]  # closes_at 10 s, 30 s (<=)
        assert due[0].closes_at == at[1] and due[0].learner_id is None
        assert [p.id for p in await tx.prompts.due_group_prompts(START + timedelta(hours=1), limit=2)] == [
            opened[1].id, opened[0].id]
        assert await tx.prompts.due_group_prompts(START) == []


# Mock exams


async def test_mocks_start_once_move_once_and_end_once(any_store: Store) -> None:
    ends = START + timedelta(minutes=30)
    async with any_store.transaction() as tx:
        alice, bob = await people(tx, ALICE, BOB)
        mock = await tx.mocks.start_mock(alice.id, "test", "42", MockKind.SPRINT, QUESTIONS, START, ends)
        assert mock is not None
        assert (mock.kind, mock.total, mock.position, mock.started_at, mock.ends_at) == (
            MockKind.SPRINT, 3, 0, START, ends)
        assert (mock.finished_at, mock.outcome, mock.correct, mock.chat_id) == (None, None, None, "42")
        again = await tx.mocks.start_mock(alice.id, "test", "42", MockKind.FULL, QUESTIONS, START, ends)
        assert again is None
        assert await tx.mocks.start_mock(bob.id, "test", "43", MockKind.FULL, QUESTIONS, START, ends)
        assert await tx.mocks.running_mock(alice.id) == mock
        assert await tx.mocks.start_mock(10_000, "test", "0", MockKind.SPRINT, QUESTIONS, START, ends) is None
    later = START + timedelta(minutes=1)
    async with any_store.transaction() as tx:
        assert not await tx.mocks.answer_mock(mock.id, 1, "B", True, later)  # not there yet
        assert await tx.mocks.answer_mock(mock.id, 0, "C", False, later)
        assert not await tx.mocks.answer_mock(mock.id, 0, "B", True, later)  # answered already
        assert await tx.mocks.answer_mock(mock.id, 1, "B", True, later)
        assert not await tx.mocks.answer_mock(10_000, 0, "B", True, later)
        items = await tx.mocks.mock_items(mock.id)
        assert [(i.position, i.question_id, i.domain, i.letter, i.correct) for i in items] == [
            (0, "d1-0001", 1, "C", False), (1, "d4-0001", 4, "B", True), (2, "d5-0001", 5, None, False)]
        moved = await tx.mocks.mock(mock.id)
        assert moved is not None and moved.position == 2
        assert await tx.mocks.mock_seen(alice.id) == {"d1-0001", "d4-0001", "d5-0001"}
        assert await tx.mocks.finish_mock(mock.id, MockOutcome.EXPIRED, 1, ends)
        assert not await tx.mocks.finish_mock(mock.id, MockOutcome.DONE, 3, ends)
        assert not await tx.mocks.answer_mock(mock.id, 2, "B", True, ends)  # ended
        assert not await tx.mocks.finish_mock(10_000, MockOutcome.DONE, 3, ends)
    async with any_store.transaction() as tx:
        ended = await tx.mocks.mock(mock.id)
        assert ended is not None and (ended.finished_at, ended.outcome, ended.correct, ended.position) == (
            ends, MockOutcome.EXPIRED, 1, 2)
        assert await tx.mocks.running_mock(alice.id) is None
        assert await tx.mocks.mock(10_000) is None
        assert await tx.mocks.mock_items(10_000) == []


async def test_mock_history_seen_questions_and_expiry(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        alice, bob = await people(tx, ALICE, BOB)
        ids = []
        for n, started in enumerate([START, START + timedelta(hours=1), START + timedelta(hours=1)]):
            mock = await tx.mocks.start_mock(alice.id, "test", "42", MockKind.SPRINT,
                                             [(f"d{n + 1}-0001", n + 1), (f"d{n + 1}-0002", n + 1)],
                                             started, started + timedelta(minutes=30))
            assert mock is not None
            ids.append(mock.id)
            if n < 2:
                assert await tx.mocks.finish_mock(mock.id, MockOutcome.STOPPED, None, started)
        bobs = await tx.mocks.start_mock(bob.id, "test", "43", MockKind.FULL, [("d8-0001", 8)], START,
                                         START + timedelta(minutes=10))
        assert bobs is not None
    async with any_store.transaction() as tx:
        assert [m.id for m in await tx.mocks.mock_history(alice.id, 5)] == [ids[2], ids[1], ids[0]]
        assert [m.id for m in await tx.mocks.mock_history(alice.id, 1)] == [ids[2]]
        assert await tx.mocks.mock_seen(alice.id) == {"d1-0001", "d2-0001", "d3-0001"}  # the shown ones
        assert await tx.mocks.mock_seen(bob.id) == {"d8-0001"}
        deadline = START + timedelta(hours=1, minutes=30)
        assert [m.id for m in await tx.mocks.expired_mocks(deadline)] == [bobs.id, ids[2]]
        assert [m.id for m in await tx.mocks.expired_mocks(deadline, limit=1)] == [bobs.id]
        assert await tx.mocks.expired_mocks(START + timedelta(minutes=9)) == []


async def test_exam_attempts_one_per_day_in_date_order(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        alice, bob = await people(tx, ALICE, BOB)
        await tx.exams.record_exam_attempt(alice.id, date(2026, 3, 1), False, START)
        await tx.exams.record_exam_attempt(alice.id, date(2026, 1, 10), False, START)
        await tx.exams.record_exam_attempt(bob.id, date(2026, 2, 1), True, START)
    async with any_store.transaction() as tx:
        await tx.exams.record_exam_attempt(alice.id, date(2026, 3, 1), True, START)  # a correction
        assert [(a.taken_on, a.passed) for a in await tx.exams.exam_attempts(alice.id)] == [
            (date(2026, 1, 10), False), (date(2026, 3, 1), True)]
        assert [(a.taken_on, a.passed) for a in await tx.exams.exam_attempts(bob.id)] == [
            (date(2026, 2, 1), True)]


# Groups and rounds


async def test_groups_register_once_keep_their_title_and_members(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        alice, bob = await people(tx, ALICE, BOB)
        group, created = await tx.groups.group("test", "-1", "Study " * 40, START)
        assert created and group.title == ("Study " * 40)[:128]
        assert (group.timezone, group.daily_question_at, group.round_seconds) == (None, None, 30)
        untitled, created = await tx.groups.group("test", "-2", "", START)
        assert created and untitled.title == "-2"
    async with any_store.transaction() as tx:
        same, created = await tx.groups.group("test", "-1", "", START)  # no title: kept
        assert not created and same == group
        renamed, created = await tx.groups.group("test", "-1", "Night owls", START)
        assert not created and renamed.title == "Night owls"
        changed = await tx.groups.update_group(renamed, timezone="America/Chicago",
                                               daily_question_at=time(8, 30, 15), round_seconds=20)
        assert changed.daily_question_at == time(8, 30, 15)  # as given
        assert await tx.groups.join_group("test", "-1", alice.id, START)
        assert not await tx.groups.join_group("test", "-1", alice.id, START)
        assert await tx.groups.join_group("test", "-2", alice.id, START)
        assert await tx.groups.join_group("test", "-3", bob.id, START)  # a chat never registered
        assert not await tx.groups.join_group("test", "-1", 10_000, START)  # no such learner
    async with any_store.transaction() as tx:
        stored, _ = await tx.groups.group("test", "-1", "Night owls", START)
        assert (stored.timezone, stored.daily_question_at, stored.round_seconds) == (
            "America/Chicago", time(8, 30), 20)
        assert sorted(g.chat_id for g in await tx.groups.learner_groups(alice.id)) == ["-1", "-2"]
        assert await tx.groups.learner_groups(bob.id) == []  # only registered chats


async def test_one_unfinished_round_per_chat(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        first = await tx.rounds.start_round("test", "-1", 3, 20, 4, START)
        assert first is not None and (first.total, first.seconds, first.domain) == (3, 20, 4)
        assert await tx.rounds.start_round("test", "-1", 5, 30, None, START) is None
        other = await tx.rounds.start_round("test", "-2", 5, 30, None, START)
        assert other is not None and other.id != first.id
        assert await tx.rounds.round(first.id) == first
    async with any_store.transaction() as tx:
        await tx.rounds.finish_round(first.id, START + timedelta(minutes=1))
        second = await tx.rounds.start_round("test", "-1", 2, 10, None, START + timedelta(minutes=2))
        assert second is not None and second.id not in (first.id, other.id)
        assert await tx.rounds.start_round("test", "-2", 5, 30, None, START) is None


async def test_group_answers_once_per_member_runs_and_standings(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        alice, bob, carol = await people(tx, ALICE, BOB, CAROL)
        played = await tx.rounds.start_round("test", "-1", 2, 30, None, START)
        assert played is not None
        q1 = await tx.prompts.open_prompt("test", "-1", None, "d1-0001", False, None, START,
                                          START + timedelta(seconds=30), played.id, 1)
        q2 = await tx.prompts.open_prompt("test", "-1", None, "d2-0001", False, None, START,
                                          START + timedelta(seconds=60), played.id, 2)
        assert await tx.rounds.round_questions(played.id) == {"d1-0001", "d2-0001"}
        answers = [(q1, carol, "B", True, 3, 1, 20), (q1, alice, "B", True, 1, 1, 18),
                   (q1, bob, "C", False, 1, 0, 1), (q2, alice, "B", True, 5, 2, 12),
                   (q2, bob, "B", True, 5, 1, 31)]
        for prompt, who, letter, correct, second, run, points in answers:
            assert await tx.rounds.add_group_answer(prompt.id, who.id, letter, correct,
                                                    START + timedelta(seconds=second), run, points)
        assert not await tx.rounds.add_group_answer(q1.id, alice.id, "A", False, START, 0)
    async with any_store.transaction() as tx:
        assert await tx.rounds.group_answer_count(q1.id) == 3
        assert await tx.rounds.group_answer_count(10_000) == 0
        # In answer order; Alice and Bob answered at the same second: by learner id.
        assert await tx.rounds.group_results(q1.id) == [("Alice", True), ("Bob", False), ("Carol", True)]
        assert await tx.rounds.previous_run(played.id, 1, alice.id) == 1
        assert await tx.rounds.previous_run(played.id, 2, alice.id) == 2
        assert await tx.rounds.previous_run(played.id, 1, bob.id) == 0
        assert await tx.rounds.previous_run(played.id, 3, alice.id) == 0
        # Bob 32, Alice 30, Carol 20; then 2 more for Alice make her equal to Bob: a shared rank, by name.
        assert await tx.rounds.round_standings(played.id) == [
            Standing(1, bob.id, "Bob", 32), Standing(2, alice.id, "Alice", 30),
            Standing(3, carol.id, "Carol", 20)]
        q3 = await tx.prompts.open_prompt("test", "-1", None, "d3-0001", False, None, START,
                                          START + timedelta(seconds=90), played.id, 3)
        assert await tx.rounds.add_group_answer(q3.id, alice.id, "A", False, START, 0, 2)
        assert await tx.rounds.round_standings(played.id) == [
            Standing(1, alice.id, "Alice", 32), Standing(1, bob.id, "Bob", 32),
            Standing(3, carol.id, "Carol", 20)]
        assert await tx.rounds.round_standings(10_000) == []


# Points and leaderboards


async def test_a_burst_of_presses_reads_and_writes_as_a_set(any_store: Store) -> None:
    """The set-wise reads and writes a batch of round presses uses (bot.rounds.presses): who is in
    the set and who is left out, redeliveries and delivery marks, replaced cards, answers in time order."""
    async with any_store.transaction() as tx:
        alice, bob, carol = await people(tx, ALICE, BOB, CAROL)
        await tx.groups.group("test", "-1", "Study group", START)
        await tx.groups.group("test", "-2", "Night class", START)
        for who, chat in ((alice, "-1"), (bob, "-1"), (alice, "-2")):
            await tx.groups.join_group("test", chat, who.id, START)
        assert await tx.learners.members("test", "-1", ["42", "43", "44", "99"]) == {"42": alice, "43": bob}
        assert await tx.intake.record_all("test", ["u1", "u2"], START) == {"u1", "u2"}
        assert await tx.intake.record_all("test", ["u2", "u3"], START) == {"u3"}  # u2: a redelivery
        for update_id in ("u1", "u2"):
            await tx.intake.keep_replies("test", update_id, "[kept]")
        await tx.intake.mark_delivered([("test", "u1"), ("other", "u2")])  # u2 is another platform's
        assert [await tx.intake.undelivered("test", u) for u in ("u1", "u2")] == ["", "[kept]"]
        card = CardState("d1-0001", 2, 1.0, 5.0, START, START)
        await tx.answers.save_cards([(alice.id, card), (bob.id, replace(card, stability=2.0))])
        await tx.answers.save_cards([(bob.id, replace(card, stability=3.0))])  # replaced
        assert await tx.answers.cards_for([alice.id, bob.id, carol.id], "d1-0001") == {
            alice.id: card, bob.id: replace(card, stability=3.0)}
        early, late = AnswerRecord("d1-0001", 1, True, False, START), \
            AnswerRecord("d4-0001", 4, False, True, START + timedelta(minutes=1), 5)
        await tx.answers.record_answers([(bob.id, late), (alice.id, early), (bob.id, early)])
        assert await tx.answers.answers_since_all([alice.id, bob.id, carol.id], START) == {
            alice.id: [early], bob.id: [early, late]}
        assert {lid: sorted(g.chat_id for g in groups)
                for lid, groups in (await tx.groups.groups_of([alice.id, bob.id, carol.id])).items()} == {
            alice.id: ["-1", "-2"], bob.id: ["-1"]}
        await tx.points.add_points_all([Credit(alice.id, 10, (("test", "-1", WEEK), ("test", "-2", WEEK))),
                                        Credit(carol.id, 4)])
        board = await tx.points.leaderboard("test", "-2", WEEK)
        assert [(s.name, s.points) for s in board] == [("Alice", 10)]
        played = await tx.rounds.start_round("test", "-1", 3, 30, None, START)
        assert played is not None
        q1 = await tx.prompts.open_prompt("test", "-1", None, "d1-0001", False, None, START,
                                          START + timedelta(seconds=30), played.id, 1)
        assert await tx.rounds.add_group_answers(q1.id, [
            GroupAnswer(alice.id, "B", True, START, 1, 20), GroupAnswer(bob.id, "C", False, START)]) == {
            alice.id, bob.id}
        assert await tx.rounds.add_group_answers(q1.id, [
            GroupAnswer(bob.id, "B", True, START), GroupAnswer(carol.id, "B", True, START, 1, 9),
        ]) == {carol.id}
        assert await tx.rounds.group_results(q1.id) == [("Alice", True), ("Bob", False), ("Carol", True)]
        assert await tx.rounds.previous_runs(played.id, 1, [alice.id, bob.id, carol.id]) == {
            alice.id: 1, carol.id: 1}


async def test_leaderboard_ties_across_the_cut_own_rank_and_members_without_points(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        ids = []
        # Names run against ids, so name order and insertion order differ among the tied.
        for i, points in enumerate([50, 40, *[30] * 10, 0]):
            who = await tx.learners.learner(Person("test", str(i), f"M{12 - i:02d}"), START, None)
            await tx.groups.join_group("test", "-1", who.id, START)
            if points:
                await tx.points.add_points(who.id, points, [("test", "-1", WEEK)])
            ids.append(who.id)
        outsider = await tx.learners.learner(Person("test", "x", "Outsider"), START, None)
    async with any_store.transaction() as tx:
        for period in (WEEK, None):  # the week and the all-time totals move together
            board = await tx.points.leaderboard("test", "-1", period, me=ids[-1], top=5)
            assert [(s.rank, s.name, s.points) for s in board] == [
                (1, "M12", 50), (2, "M11", 40), (3, "M01", 30), (3, "M02", 30), (3, "M03", 30),
                (13, "M00", 0)]
        tied_beyond_the_cut = await tx.points.leaderboard("test", "-1", WEEK, me=ids[2], top=5)
        assert tied_beyond_the_cut[-1] == Standing(3, ids[2], "M10", 30)
        assert (await tx.points.leaderboard("test", "-1", WEEK, me=ids[0], top=5))[-1].name == "M03"
        not_a_member = await tx.points.leaderboard("test", "-1", WEEK, me=outsider.id, top=2)
        assert not_a_member[-1] == Standing(13, outsider.id, "Outsider", 0)
        last_week = await tx.points.leaderboard("test", "-1", WEEK - timedelta(days=7))
        assert [(s.rank, s.points) for s in last_week] == [(1, 0)] * 10  # members by name
        assert [s.name for s in last_week][:3] == ["M00", "M01", "M02"]
        few = await tx.points.leaderboard("test", "-1", WEEK, top=14)
        assert [(s.rank, s.name) for s in few[-2:]] == [(3, "M10"), (13, "M00")]  # the rest, by name
        assert await tx.points.leaderboard("test", "-9", None) == []


async def test_points_add_up_per_week_and_all_time(any_store: Store) -> None:
    next_week = WEEK + timedelta(days=7)
    async with any_store.transaction() as tx:
        alice, bob = await people(tx, ALICE, BOB)
        for who in (alice, bob):
            await tx.groups.join_group("test", "-1", who.id, START)
        await tx.points.add_points(alice.id, 10, [("test", "-1", WEEK), ("test", "-2", WEEK)])
        await tx.points.add_points(alice.id, 5, [("test", "-1", next_week)])
        await tx.points.add_points(bob.id, 12, [("test", "-1", WEEK)])
        await tx.points.add_points(bob.id, 1, [])  # no groups: only the learner's own total
    async with any_store.transaction() as tx:
        board = await tx.points.leaderboard("test", "-1", WEEK)
        assert board == [Standing(1, bob.id, "Bob", 12), Standing(2, alice.id, "Alice", 10)]
        assert await tx.points.leaderboard("test", "-1", next_week) == [
            Standing(1, alice.id, "Alice", 5), Standing(2, bob.id, "Bob", 0)]
        assert await tx.points.leaderboard("test", "-1", None) == [
            Standing(1, alice.id, "Alice", 15), Standing(2, bob.id, "Bob", 12)]
        # Alice is no member of -2, but her points there were added: boards list point rows.
        assert await tx.points.leaderboard("test", "-2", None) == [Standing(1, alice.id, "Alice", 10)]


async def test_a_new_member_brings_their_points_and_a_week_is_rebuilt(any_store: Store) -> None:
    monday = WEEK
    async with any_store.transaction() as tx:
        alice, bob, carol = await people(tx, ALICE, BOB, CAROL)
        for who, points, at in ((alice, 10, START - timedelta(days=3)), (alice, 7, START),
                                (alice, 0, START), (bob, 3, START + timedelta(hours=1)),
                                (carol, 0, START)):
            await tx.answers.record_answer(who.id, AnswerRecord("d1-0001", 1, True, False, at, points))
            if points:
                await tx.points.add_points(who.id, points, [])
        await tx.groups.join_group("test", "-1", alice.id, START)
        await tx.points.count_member("test", "-1", alice.id, monday, START)
        await tx.groups.join_group("test", "-1", carol.id, START)
        await tx.points.count_member("test", "-1", carol.id, monday, START)  # no points: no rows
    async with any_store.transaction() as tx:
        assert await tx.points.leaderboard("test", "-1", None) == [
            Standing(1, alice.id, "Alice", 17), Standing(2, carol.id, "Carol", 0)]
        assert (await tx.points.leaderboard("test", "-1", monday))[0] == Standing(1, alice.id, "Alice", 7)
        await tx.points.count_member("test", "-1", alice.id, monday, START)  # again: all-time kept
        assert (await tx.points.leaderboard("test", "-1", None))[0].points == 17
        # A later week's rows go when an earlier week is rebuilt; the all-time total stays.
        await tx.points.add_points(alice.id, 4, [("test", "-1", monday + timedelta(days=7))])
        await tx.groups.join_group("test", "-1", bob.id, START)
        await tx.points.rebuild_week("test", "-1", monday, START - timedelta(days=7))
        assert await tx.points.leaderboard("test", "-1", monday) == [
            Standing(1, alice.id, "Alice", 17), Standing(2, bob.id, "Bob", 3),
            Standing(3, carol.id, "Carol", 0)]
        assert await tx.points.leaderboard("test", "-1", monday + timedelta(days=7)) == [
            Standing(1, alice.id, "Alice", 0), Standing(1, bob.id, "Bob", 0),
            Standing(1, carol.id, "Carol", 0)]
        assert (await tx.points.leaderboard("test", "-1", None))[0] == Standing(1, alice.id, "Alice", 21)
        await tx.points.rebuild_week("test", "-1", monday, START + timedelta(minutes=30), bob.id)
        assert (await tx.points.leaderboard("test", "-1", monday))[:2] == [
            Standing(1, alice.id, "Alice", 17), Standing(2, bob.id, "Bob", 3)]
        await tx.points.rebuild_week("test", "-1", monday, START + timedelta(hours=2), bob.id)
        assert (await tx.points.leaderboard("test", "-1", monday))[1] == Standing(2, bob.id, "Bob", 0)


# Pushes


async def test_due_learners_soonest_first_and_reachable_only(any_store: Store) -> None:
    dave, erin = Person("other", "45", "Dave"), Person("test", "46", "Erin")
    async with any_store.transaction() as tx:
        alice, bob, carol, d, e = await people(tx, ALICE, BOB, CAROL, dave, erin)
        await tx.pushes.set_next_pushes({alice.id: START, bob.id: START - timedelta(minutes=5),
                                         carol.id: START + timedelta(minutes=1), d.id: START})
        await tx.pushes.set_next_push(e.id, START - timedelta(minutes=1))
        await tx.learners.update_learner(e, unreachable=True)
        await tx.pushes.set_next_pushes({})
    async with any_store.transaction() as tx:
        due = await tx.pushes.lock_due_learners(START, ["test"], 10)
        assert [(who.id, at) for who, at in due] == [(bob.id, START - timedelta(minutes=5)),
                                                     (alice.id, START)]
        assert [who.id for who, _ in await tx.pushes.lock_due_learners(START, ["test", "other"], 10)
                ] in ([bob.id, alice.id, d.id], [bob.id, d.id, alice.id])  # equal times: any order
        assert [who.id for who, _ in await tx.pushes.lock_due_learners(START, ["test"], 1)] == [bob.id]
        await tx.pushes.set_next_pushes({bob.id: None, alice.id: START + timedelta(days=1)})
    async with any_store.transaction() as tx:
        assert await tx.pushes.lock_due_learners(START, ["test"], 10) == []
        due = await tx.pushes.lock_due_learners(START + timedelta(days=1), ["test"], 10)
        assert [who.id for who, _ in due] == [carol.id, alice.id]


async def test_a_push_is_recorded_once_per_kind_chat_and_day(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        alice, bob = await people(tx, ALICE, BOB)
        daily = PushKey(PushKind.DAILY, "test", "42", alice.id, WEEK)
        first = await tx.pushes.record_pushes([daily], START)
        assert list(first) == [daily] and first[daily] > 0
        assert await tx.pushes.record_pushes([], START) == {}
        await tx.pushes.push_outcome(first[daily], PushOutcome.SENT)
    async with any_store.transaction() as tx:
        streak = PushKey(PushKind.STREAK_RISK, "test", "42", alice.id, WEEK)  # another kind
        tomorrow = PushKey(PushKind.DAILY, "test", "42", alice.id, WEEK + timedelta(days=1))
        bobs = PushKey(PushKind.DAILY, "test", "43", bob.id, WEEK)
        group = PushKey(PushKind.GROUP_DAILY, "test", "-1", None, WEEK)
        batch = [daily, streak, tomorrow, bobs, group, bobs]  # Bob's twice in one batch
        recorded = await tx.pushes.record_pushes(batch, START)
        assert set(recorded) == {streak, tomorrow, bobs, group}  # today's daily was claimed before
        assert len(set(recorded.values())) == 4 and first[daily] not in recorded.values()
        assert await tx.pushes.record_pushes([daily, streak, group], START + timedelta(hours=1)) == {}
        # One key twice with different learners: the row is the first's, the result names the last
        # (the SQL looks returned rows up by key). Pinned as it is, not as it should be.
        shared = [PushKey(PushKind.GROUP_WEEKLY, "test", "-1", who.id, WEEK) for who in (alice, bob)]
        assert list(await tx.pushes.record_pushes(shared, START)) == [shared[1]]


async def test_group_schedules_move_only_from_the_expected_time(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        one, _ = await tx.groups.group("test", "-1", "One", START)
        two, _ = await tx.groups.group("test", "-2", "Two", START)
        three, _ = await tx.groups.group("other", "-3", "Three", START)
        assert not await tx.pushes.reschedule_group(one, START, START)  # not scheduled yet
        assert await tx.pushes.reschedule_group(one, None, START)  # None matches no schedule
        await tx.pushes.set_group_schedule(two, START - timedelta(minutes=1))
        await tx.pushes.set_group_schedule(three, START - timedelta(minutes=2))
    async with any_store.transaction() as tx:
        due = await tx.pushes.groups_due(START, ["test"], 10)
        assert [(g.chat_id, at) for g, at in due] == [("-2", START - timedelta(minutes=1)), ("-1", START)]
        assert [g.chat_id for g, _ in await tx.pushes.groups_due(START, ["test", "other"], 2)] == ["-3", "-2"]
        tomorrow = START + timedelta(days=1)
        assert await tx.pushes.reschedule_group(one, START.astimezone(CHICAGO), tomorrow)
        assert not await tx.pushes.reschedule_group(one, START, tomorrow)  # another tick moved it
        assert not await tx.pushes.reschedule_group(one, None, tomorrow)
        assert await tx.pushes.reschedule_group(one, tomorrow, tomorrow)  # moved to where it is
        assert await tx.pushes.reschedule_group(two, START - timedelta(minutes=1), None)
        await tx.pushes.set_group_schedule(three, None)
        faster = await tx.groups.update_group(one, round_seconds=10)
        assert faster.round_seconds == 10
    async with any_store.transaction() as tx:
        assert await tx.pushes.groups_due(tomorrow, ["test", "other"], 10) == [
            (faster, tomorrow)]


# Weekly digests and group reports


async def test_a_tally_counts_practice_and_answered_mock_items_in_its_window(any_store: Store) -> None:
    later, end = START + timedelta(hours=1), START + timedelta(hours=2)
    async with any_store.transaction() as tx:
        alice, bob = await people(tx, ALICE, BOB)
        await tx.answers.record_answer(alice.id, AnswerRecord("d1-0001", 1, True, False, START))
        await tx.answers.record_answer(alice.id, AnswerRecord("d1-0002", 1, False, False, later))
        await tx.answers.record_answer(alice.id, AnswerRecord("d1-0003", 1, True, False, end))
        await tx.answers.record_answer(bob.id, AnswerRecord("d1-0001", 1, True, False, later))
        mock = await tx.mocks.start_mock(alice.id, "test", "42", MockKind.SPRINT, QUESTIONS, START, end)
        assert mock is not None
        assert await tx.mocks.answer_mock(mock.id, 0, "B", True, later)  # d5 never answered
        assert await tx.mocks.answer_mock(mock.id, 1, "A", False, later)
    async with any_store.transaction() as tx:
        assert await tx.answers.tally(alice.id, START, end) == DomainRecord(4, 2)  # `end` is out
        assert await tx.answers.tally(alice.id, later, end + timedelta(seconds=1)) == DomainRecord(4, 2)
        assert await tx.answers.tally(alice.id, START, later) == DomainRecord(1, 1)
        assert await tx.answers.tally(bob.id, end, end) == DomainRecord(0, 0)


async def test_group_report_reads_count_members_answers_in_the_database(any_store: Store) -> None:
    """Members Alice, Bob, Carol and Dave; Erin answers but is no member of "-1"."""
    dave, erin = Person("test", "45", "Dave"), Person("test", "46", "Erin")
    since, old = START - timedelta(days=7), START - timedelta(days=8)
    async with any_store.transaction() as tx:
        alice, bob, carol, d, e = await people(tx, ALICE, BOB, CAROL, dave, erin)
        for who in (alice, bob, carol, d):
            await tx.groups.join_group("test", "-1", who.id, old)
        await tx.groups.join_group("test", "-2", e.id, old)
        answers = {alice: [("d1-0001", False), ("d1-0001", False), ("d4-0001", True), ("d8-0001", True)],
                   bob: [("d1-0001", True), ("d4-0001", False), ("d1-0002", False), ("d8-0001", True)],
                   carol: [("d1-0002", False)], e: [("d1-0002", False)] * 3}
        for who, given in answers.items():
            for qid, correct in given:
                await tx.answers.record_answer(who.id, AnswerRecord(qid, int(qid[1]), correct, False, START))
        await tx.answers.record_answer(d.id, AnswerRecord("d4-0001", 4, False, False, old))  # too old
        mock = await tx.mocks.start_mock(carol.id, "test", "44", MockKind.SPRINT, QUESTIONS, START,
                                         START + timedelta(hours=1))
        assert mock is not None and await tx.mocks.answer_mock(mock.id, 0, "A", False, START)
        for who, days in ((alice, 3), (bob, 30), (carol, 31), (d, 0)):
            await tx.learners.update_learner(who, exam_date=WEEK + timedelta(days=days))
    async with any_store.transaction() as tx:
        assert await tx.groups.member_count("test", "-1") == 4
        assert await tx.groups.member_count("test", "-9") == 0
        assert await tx.groups.active_members("test", "-1", since) == ["Alice", "Bob", "Carol"]
        assert await tx.groups.active_members("test", "-1", START + timedelta(seconds=1)) == []
        tally = await tx.groups.domain_tally("test", "-1", since)
        assert tally == {1: DomainRecord(6, 1), 4: DomainRecord(2, 1), 8: DomainRecord(2, 2)}  # Carol's
        # mock answer is d1-0001, wrong
        assert await tx.groups.domain_tally("test", "-1", old) == {
            1: DomainRecord(6, 1), 4: DomainRecord(3, 1), 8: DomainRecord(2, 2)}
        missed = await tx.groups.most_missed("test", "-1", since, 2, 5)
        # d1-0002 2 of 2 missed; d1-0001 3 of 4 (Alice twice, Bob, Carol's mock); d4-0001 1 of 2;
        # d8-0001 (two members) nobody missed.
        assert [(m.question_id, m.answered, m.missed, m.members) for m in missed] == [
            ("d1-0002", 2, 2, 2), ("d1-0001", 4, 3, 3), ("d4-0001", 2, 1, 2)]
        assert [m.question_id for m in await tx.groups.most_missed("test", "-1", since, 3, 5)] == ["d1-0001"]
        assert [m.question_id for m in await tx.groups.most_missed("test", "-1", since, 2, 1)] == ["d1-0002"]
        quiet = await tx.groups.quiet_members("test", "-1", WEEK, WEEK + timedelta(days=30), START)
        assert [(q.name, q.exam_date) for q in quiet] == [("Dave", WEEK)]  # Carol's exam is too far
        quiet = await tx.groups.quiet_members("test", "-1", WEEK, WEEK + timedelta(days=31),
                                              START + timedelta(seconds=1))
        assert [q.name for q in quiet] == ["Dave", "Alice", "Bob", "Carol"]
        assert await tx.groups.quiet_members("test", "-2", WEEK, WEEK, since) == []


async def test_report_subscriptions_come_due_move_once_and_go(any_store: Store) -> None:
    async with any_store.transaction() as tx:
        alice, bob, carol = await people(tx, ALICE, BOB, CAROL)
        await tx.groups.group("test", "-1", "One", START)
        await tx.groups.subscribe_report("test", "-1", alice.id, "42", START, START)
        await tx.groups.subscribe_report("test", "-1", bob.id, "43", START, START - timedelta(hours=1))
        await tx.groups.subscribe_report("test", "-9", carol.id, "44", START, START)  # no such group
        assert await tx.groups.report_subscribed("test", "-1", alice.id)
        assert not await tx.groups.report_subscribed("test", "-2", alice.id)
    async with any_store.transaction() as tx:
        due = await tx.pushes.reports_due(START, ["test"], 10)
        assert [(s.admin.id, s.group.title, s.private_chat_id, at) for s, at in due] == [
            (bob.id, "One", "43", START - timedelta(hours=1)), (alice.id, "One", "42", START)]
        assert await tx.pushes.reports_due(START, ["other"], 10) == []
        assert len(await tx.pushes.reports_due(START, ["test"], 1)) == 1
        alices = due[1][0]
        week = START + timedelta(days=7)
        assert await tx.pushes.reschedule_report(alices, START, week)
        assert not await tx.pushes.reschedule_report(alices, START, week)  # another tick moved it
        await tx.learners.update_learner(bob, unreachable=True)
        await tx.groups.subscribe_report("test", "-1", alice.id, "4242", START, START)  # again
    async with any_store.transaction() as tx:
        [(again, at)] = await tx.pushes.reports_due(START, ["test"], 10)  # Bob is unreachable
        assert (again.admin.id, again.private_chat_id, at) == (alice.id, "4242", START)
        assert await tx.groups.unsubscribe_report("test", "-1", alice.id)
        assert not await tx.groups.unsubscribe_report("test", "-1", alice.id)
        await tx.learners.forget(bob.id)
    async with any_store.transaction() as tx:
        assert await tx.pushes.reports_due(week, ["test"], 10) == []
        assert not await tx.groups.report_subscribed("test", "-1", bob.id)


async def test_digests_are_opt_in_come_due_and_move_once(any_store: Store) -> None:
    dave = Person("other", "45", "Dave")
    async with any_store.transaction() as tx:
        alice, bob, carol, d = await people(tx, ALICE, BOB, CAROL, dave)
        alice = await tx.learners.update_learner(alice, digest=True)
        assert alice.digest
        await tx.pushes.set_next_digest(alice.id, START)
        await tx.pushes.set_next_digest(bob.id, START - timedelta(minutes=1))
        await tx.pushes.set_next_digest(carol.id, START + timedelta(minutes=1))
        await tx.pushes.set_next_digest(d.id, START)
    async with any_store.transaction() as tx:
        stored = await tx.learners.find_learner("test", "42")
        assert stored is not None and stored.digest
        assert not (await tx.learners.learner(BOB, START, "43")).digest
        due = await tx.pushes.digests_due(START, ["test"], 10)
        assert [(who.id, at) for who, at in due] == [(bob.id, START - timedelta(minutes=1)),
                                                     (alice.id, START)]
        assert [who.id for who, _ in await tx.pushes.digests_due(START, ["test"], 1)] == [bob.id]
        week = START + timedelta(days=7)
        assert await tx.pushes.reschedule_digest(alice.id, START.astimezone(CHICAGO), week)
        assert not await tx.pushes.reschedule_digest(alice.id, START, week)
        await tx.pushes.set_next_digest(bob.id, None)
        await tx.learners.update_learner(carol, unreachable=True)
    async with any_store.transaction() as tx:
        assert [who.id for who, _ in await tx.pushes.digests_due(week, ["test", "other"], 10)] == [
            d.id, alice.id]


# Whole conversations: the memory store must read exactly like the database.

Said = list[tuple[str, tuple[str, ...], bool, bool, bool]]
Script = Callable[[StudyBot, FixedClock, Callable[[list[Outgoing]], None]], Awaitable[None]]


async def converse(store: Store, bank: Bank, script: Script) -> Said:
    """Runs `script` on a fresh bot over `store`; every reply with its buttons and flags (not the
    payloads: they carry row ids, which a database may hand out differently)."""
    clock = FixedClock(START)
    bot = StudyBot(store, bank, clock, rng=random.Random(7), scheduler=make_scheduler(fuzz=False),
                   shuffle_choices=False)
    said: Said = []

    def note(replies: list[Outgoing]) -> None:
        said.extend((r.text, tuple(c.label for c in r.choices), r.image is not None, r.replace, r.private)
                    for r in replies)

    await script(bot, clock, note)
    return said


async def same_on_memory_and_sql(sql: Store, bank: Bank, script: Script) -> list[str]:
    on_memory = await converse(MemoryStore(), bank, script)
    on_sql = await converse(sql, bank, script)
    assert on_memory == on_sql
    return [text for text, *_ in on_memory]


async def practice(bot: StudyBot, clock: FixedClock, note: Callable[[list[Outgoing]], None]) -> None:
    me = Chatter(bot, "u1")
    note(await me.send("/start"))
    note(await me.press("New York"))
    note(await me.send("/quiz"))
    note(await me.press("B"))
    note(await me.press("Next"))
    stale = me.payload("A")
    clock.set(START + timedelta(minutes=1))
    note(await me.press("D"))
    note(await me.press_payload(stale))  # answered already: closed
    note(await me.send("/goal 0"))  # refused: the transaction is rolled back
    note(await me.send("/goal 15"))
    note(await me.send("/quiz 5"))
    note(await me.send("b"))
    note(await me.send("/stats"))
    note(await me.send("/settings"))
    note(await me.send("/forgetme"))
    note(await me.press("Yes, delete everything"))
    note(await me.send("/stats"))


async def mock_exam(bot: StudyBot, clock: FixedClock, note: Callable[[list[Outgoing]], None]) -> None:
    me = Chatter(bot, "u1")
    note(await me.send("/quiz"))
    note(await me.press("B"))
    note(await me.send("/mock sprint"))
    for letter, seconds in (("B", 20), ("C", 50), ("B", 70)):
        clock.set(START + timedelta(seconds=seconds))
        note(await me.press(letter))
    note(await me.send("/mock sprint"))  # one is running already
    clock.set(START + timedelta(hours=1))
    note([post for _, post in await bot.close_due_rounds()])  # the timer ran out: the result
    note(await me.send("/mock"))
    note(await me.send("/mock sprint"))
    note(await me.send("/mock stop"))
    note(await me.send("/stats"))


async def group_round(bot: StudyBot, clock: FixedClock, note: Callable[[list[Outgoing]], None]) -> None:
    host = Chatter(bot, "host", chat_id="-100", group=True)
    note(await host.send("/round 2"))
    a, b = host.as_user("a"), host.as_user("b")
    for n in range(2):
        clock.set(START + timedelta(seconds=40 * n + 3))
        note(await a.press_payload(host.payload("B")))
        clock.set(START + timedelta(seconds=40 * n + 8))
        note(await b.press_payload(host.payload("C" if n == 0 else "B")))
        note(await a.press_payload(host.payload("B")))  # already answered
        note(await host.send("/round"))  # one at a time
        clock.set(START + timedelta(seconds=40 * n + 31))
        posts = [post for _, post in await bot.close_due_rounds()]
        note(posts)
        host.last = posts  # the next question's buttons
        assert await bot.close_due_rounds() == []  # revealed once
    note(await a.send("/leaderboard"))
    note(await Chatter(bot, "a").send("/stats"))


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
async def test_a_practice_conversation_reads_the_same_on_memory_and_sql(store: Store, bank: Bank) -> None:
    texts = await same_on_memory_and_sql(store, bank, practice)
    assert "Welcome" in texts[0] and any("Correct!" in t for t in texts)
    assert any("Not quite - you chose D. The answer is B." in t for t in texts)
    assert "Answered: 3 · accuracy 67%" in texts[-5] and "No answers yet" in texts[-1]


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
async def test_a_mock_exam_reads_the_same_on_memory_and_sql(store: Store, bank: Bank) -> None:
    texts = await same_on_memory_and_sql(store, bank, mock_exam)
    assert any(t.startswith("Sprint mock · 2/") for t in texts)
    assert any("already running" in t for t in texts)
    assert any("time's up with 3 of" in t for t in texts)


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
async def test_a_group_round_reads_the_same_on_memory_and_sql(store: Store, bank: Bank) -> None:
    texts = await same_on_memory_and_sql(store, bank, group_round)
    assert texts[1] == "Correct, +20 (speed +10)" and texts[3] == "Not quite"
    assert any("Right (1 of 2): User a" in t for t in texts)
    assert "Top 5 after question 1/2:\n1. User a - 20\n2. User b - 1" in texts
    assert any(t.startswith("Round over! Final board (2 questions):\n1. User a - 40") for t in texts)
