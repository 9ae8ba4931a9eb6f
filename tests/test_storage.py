"""Storage behind the core's interface: the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, time, timedelta

from sqlalchemy import func, select

from bot.domain.models import AnswerRecord, CardState
from bot.events import Person
from bot.storage.schema import Base
from bot.storage.store import Store
from tests.conftest import START

ALICE = Person("test", "42", "Alice")


async def test_learner_is_created_once_and_kept_fresh(store: Store) -> None:
    async with store.transaction() as tx:
        first = await tx.learners.learner(ALICE, START, "42")
    async with store.transaction() as tx:
        again = await tx.learners.learner(Person("test", "42", "Alice B."), START, None)
    assert again.id == first.id
    assert again.display_name == "Alice B." and again.private_chat_id == "42"
    assert first.daily_goal == 10 and first.timezone is None and not first.unreachable


async def test_concurrent_first_contact_makes_one_learner(store: Store) -> None:
    async def contact() -> int:
        async with store.transaction() as tx:
            return (await tx.learners.learner(ALICE, START, "42")).id

    ids = await asyncio.gather(*(contact() for _ in range(5)))
    assert len(set(ids)) == 1


async def test_every_transaction_lets_the_loop_run(store: Store) -> None:
    """Work that runs transaction after transaction with nothing else to wait for (a tick recording
    each push's outcome) must not hold the event loop: on SQLite no statement suspends, so the end of
    each transaction does."""
    turns = 0

    async def beside() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(beside())
    await asyncio.sleep(0)
    before = turns
    for _ in range(20):
        async with store.transaction() as tx:
            await tx.learners.find_learner("test", "42")
    task.cancel()
    assert turns - before >= 20


async def test_settings_round_trip(store: Store) -> None:
    async with store.transaction() as tx:
        learner = await tx.learners.learner(ALICE, START, "42")
        await tx.learners.update_learner(learner, timezone="America/Chicago", remind_at=time(19, 0),
                                exam_date=date(2026, 6, 1), daily_goal=25)
    async with store.transaction() as tx:
        stored = await tx.learners.find_learner("test", "42")
    assert stored is not None
    assert (stored.timezone, stored.remind_at, stored.exam_date, stored.daily_goal) == (
        "America/Chicago", time(19, 0), date(2026, 6, 1), 25)


async def test_cards_and_answers_keep_aware_utc_times(store: Store) -> None:
    card = CardState("d1-0001", 2, 2.5, 5.0, START + timedelta(days=2), START)
    async with store.transaction() as tx:
        learner = await tx.learners.learner(ALICE, START, "42")
        await tx.answers.save_card(learner.id, card)
        await tx.answers.record_answer(learner.id, AnswerRecord("d1-0001", 1, True, False, START))
        await tx.answers.record_answer(learner.id, AnswerRecord("d5-0001", 5, False, False, START))
    async with store.transaction() as tx:
        assert await tx.answers.cards(learner.id) == [card]
        assert (await tx.answers.cards(learner.id))[0].due.tzinfo is not None
        answers = await tx.answers.answers_since(learner.id, START - timedelta(hours=1))
        assert [a.answered_at for a in answers] == [START, START]
        assert answers[0].answered_at.utcoffset() == timedelta(0)
        records = await tx.answers.domain_records(learner.id)
        assert (records[1].answered, records[1].correct) == (1, 1)
        assert (records[5].answered, records[5].correct) == (1, 0)
        assert await tx.answers.count_due(learner.id, START + timedelta(days=3)) == 1
        assert await tx.answers.count_due(learner.id, START + timedelta(days=1)) == 0


async def test_a_prompt_closes_exactly_once_under_concurrency(store: Store) -> None:
    async with store.transaction() as tx:
        learner = await tx.learners.learner(ALICE, START, "42")
        prompt = await tx.prompts.open_prompt("test", "42", learner.id, "d1-0001", False, None, START)

    async def close() -> bool:
        async with store.transaction() as tx:
            return await tx.prompts.close_prompt(prompt.id, START)

    results = await asyncio.gather(*(close() for _ in range(6)))
    assert sorted(results) == [False] * 5 + [True]


async def test_group_answers_are_one_per_member(store: Store) -> None:
    async with store.transaction() as tx:
        a = await tx.learners.learner(ALICE, START, None)
        b = await tx.learners.learner(Person("test", "43", "Bob"), START, None)
        prompt = await tx.prompts.open_prompt("test", "-100", None, "d1-0001", False, None, START)
        assert await tx.rounds.add_group_answer(prompt.id, a.id, "B", True, START)
        assert not await tx.rounds.add_group_answer(prompt.id, a.id, "C", False, START)
        assert await tx.rounds.add_group_answer(prompt.id, b.id, "C", False, START)
        assert await tx.rounds.group_answer_count(prompt.id) == 2


async def rows_per_table(store: Store, learner_id: int) -> dict[str, int]:
    counts = {}
    async with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            column = table.c.id if table.name == "learners" else table.c.get("learner_id")
            if column is not None:
                stmt = select(func.count()).select_from(table).where(column == learner_id)
                counts[table.name] = int(await conn.scalar(stmt) or 0)
    return counts


async def test_forget_deletes_every_row_about_the_learner(store: Store) -> None:
    async with store.transaction() as tx:
        alice = await tx.learners.learner(ALICE, START, "42")
        bob = await tx.learners.learner(Person("test", "43", "Bob"), START, "43")
        group = await tx.prompts.open_prompt("test", "-100", None, "d1-0002", False, None, START)
        for who in (alice, bob):
            await tx.answers.save_card(who.id, CardState("d1-0001", 2, 1.0, 5.0, START, START))
            await tx.answers.record_answer(who.id, AnswerRecord("d1-0001", 1, True, False, START))
            await tx.prompts.open_prompt("test", who.user_id, who.id, "d1-0001", False, None, START)
            await tx.rounds.add_group_answer(group.id, who.id, "B", True, START)
            await tx.groups.join_group("test", "-100", who.id, START)
            await tx.points.add_points(who.id, 10, [("test", "-100", START.date())])
    bob_before = await rows_per_table(store, bob.id)
    alice_before = await rows_per_table(store, alice.id)
    async with store.transaction() as tx:
        await tx.learners.forget(alice.id)
    assert sum(alice_before.values()) >= 6
    assert set((await rows_per_table(store, alice.id)).values()) == {0}
    assert await rows_per_table(store, bob.id) == bob_before


async def test_latest_open_prompt_is_per_learner_and_chat(store: Store) -> None:
    async with store.transaction() as tx:
        alice = await tx.learners.learner(ALICE, START, "42")
        first = await tx.prompts.open_prompt("test", "42", alice.id, "d1-0001", False, None, START)
        second = await tx.prompts.open_prompt("test", "42", alice.id, "d1-0002", False, None,
                                      START.astimezone(UTC))
        latest = await tx.prompts.latest_open_prompt("test", "42", alice.id)
        assert latest is not None and latest.id == second.id
        old = await tx.prompts.prompt(first.id)
        assert old is not None and old.closed_at is not None  # a new question closes the old one


async def test_leaderboard_ties_across_the_cut_own_rank_and_members_without_points(store: Store) -> None:
    week = START.date()
    async with store.transaction() as tx:
        ids = []
        # Names run against ids, so name order and insertion order differ among the tied.
        for i, points in enumerate([50, 40, *[30] * 10, 0]):
            who = await tx.learners.learner(Person("test", str(i), f"M{12 - i:02d}"), START, None)
            await tx.groups.join_group("test", "-1", who.id, START)
            if points:
                await tx.points.add_points(who.id, points, [("test", "-1", week)])
            ids.append(who.id)
        for period in (week, None):  # the week and the all-time totals move together
            board = await tx.points.leaderboard("test", "-1", period, me=ids[-1], top=5)
            assert [(s.rank, s.name, s.points) for s in board] == [
                (1, "M12", 50), (2, "M11", 40), (3, "M01", 30), (3, "M02", 30), (3, "M03", 30),
                (13, "M00", 0)]  # the asker, after everyone with points
        tied_beyond_the_cut = await tx.points.leaderboard("test", "-1", week, me=ids[2], top=5)
        assert tied_beyond_the_cut[-1].name == "M10" and tied_beyond_the_cut[-1].rank == 3
        last_week = await tx.points.leaderboard("test", "-1", week - timedelta(days=7))
        assert [s.points for s in last_week] == [0] * 10
        few = await tx.points.leaderboard("test", "-1", week, top=14)
        assert [(s.rank, s.name) for s in few[-2:]] == [(3, "M10"), (13, "M00")]  # the rest, by name
