"""The ledger of handled deliveries: an event with an update id takes effect once, however often the
platform delivers it, on SQLite and PostgreSQL; the ids are forgotten after a couple of days; and
the migration that made the ledger brought Discord's old state file into the database."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from bot.core import APOLOGY, StudyBot
from bot.domain.cards import make_scheduler
from bot.domain.questions import Bank
from bot.events import Address, ButtonPressed, Chat, Command, Person
from bot.handled import Outcome
from bot.ports.clock import FixedClock
from bot.storage.engine import alembic_config, make_engine, upgrade
from bot.storage.store import Store
from scheduler.tick import Ticker
from tests.conftest import START

ALICE = Person("telegram", "101", "Alice")
CMAS_BOT = Path(sys.executable).with_name("cmas-bot")
PRIVATE = Chat(Address("telegram", "101"), is_group=False)


def quiz(update_id: str | None) -> Command:
    return Command(ALICE, PRIVATE, "quiz", update_id=update_id)


async def open_prompts(store: Store) -> int:
    async with store.engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM prompts"))).scalar_one())


async def test_a_redelivered_update_changes_nothing_and_gets_only_undelivered_replies(
        study_bot: StudyBot, store: Store) -> None:
    first = await study_bot.process(quiz("4242:1"))
    assert first.outcome is Outcome.APPLIED and "Question" in first.replies[0].text
    # The process died before sending: the redelivery gets the same replies, applied once.
    again = await study_bot.process(quiz("4242:1"))
    assert again.outcome is Outcome.DUPLICATE
    assert [(r.text, r.choices) for r in again.replies] == [(r.text, r.choices) for r in first.replies]
    await study_bot.delivered("telegram", "4242:1")  # sent this time
    assert await study_bot.handle(quiz("4242:1")) == []
    assert await open_prompts(store) == 1
    assert (await study_bot.process(quiz("4242:2"))).outcome is Outcome.APPLIED  # a new update is new
    assert (await study_bot.process(quiz(None))).outcome is Outcome.APPLIED  # no id: no ledger
    assert await open_prompts(store) == 3


async def test_a_redelivered_press_is_graded_once(study_bot: StudyBot) -> None:
    [question] = (await study_bot.process(quiz("4242:1"))).replies
    payload = next(c.payload for c in question.choices if c.label == "B")
    press = ButtonPressed(ALICE, PRIVATE, payload, update_id="4242:2")
    assert "Correct!" in (await study_bot.process(press)).replies[0].text
    assert (await study_bot.process(press)).outcome is Outcome.DUPLICATE
    [stats] = await study_bot.handle(Command(ALICE, PRIVATE, "stats"))
    assert "Answered: 1 " in stats.text


async def test_ids_are_per_platform(study_bot: StudyBot) -> None:
    bob = Person("discord", "101", "Bob")
    assert (await study_bot.process(quiz("77"))).outcome is Outcome.APPLIED
    event = Command(bob, Chat(Address("discord", "101"), is_group=False), "quiz", update_id="77")
    assert (await study_bot.process(event)).outcome is Outcome.APPLIED


async def test_a_failed_update_leaves_no_trace_and_applies_when_it_comes_again(
        study_bot: StudyBot, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(study_bot, "bank", None)  # selection breaks: an unexpected error
    failed = await study_bot.process(quiz("4242:1"))
    assert (failed.outcome, [r.text for r in failed.replies]) == (Outcome.FAILED, [APOLOGY])
    monkeypatch.undo()
    assert (await study_bot.process(quiz("4242:1"))).outcome is Outcome.APPLIED
    assert await open_prompts(store) == 1


async def test_a_refused_update_is_refused_again_if_it_comes_again(study_bot: StudyBot) -> None:
    """A refusal changes nothing, so its id is not kept either: a redelivery (only after a crash
    between the refusal and the confirmation) is refused, and answered, once more."""
    event = Command(ALICE, PRIVATE, "goal", ("99",), update_id="4242:1")
    for _ in range(2):
        refused = await study_bot.process(event)
        assert refused.outcome is Outcome.REJECTED and "50" in refused.replies[0].text


async def test_concurrent_deliveries_of_one_update_apply_once(
        study_bot: StudyBot, db_url: str, bank: Bank, clock: FixedClock, store: Store) -> None:
    """Two instances handle the same update at once (Telegram retried a slow webhook): the second
    insert into the ledger waits for the first transaction and finds the id there."""
    engine = make_engine(db_url)
    other = StudyBot(Store(engine), bank, clock, rng=random.Random(8), scheduler=make_scheduler(fuzz=False))
    try:
        outcomes = await asyncio.gather(*(bot.process(quiz("4242:9")) for bot in (study_bot, other)))
    finally:
        await engine.dispose()
    assert sorted(h.outcome for h in outcomes) == [Outcome.APPLIED, Outcome.DUPLICATE]
    assert await open_prompts(store) == 1


async def test_handled_ids_are_forgotten_after_two_days(study_bot: StudyBot, store: Store,
                                                       clock: FixedClock) -> None:
    async with store.transaction() as tx:
        assert await tx.intake.record("telegram", "4242:1", START)
        assert not await tx.intake.record("telegram", "4242:1", START)
    async with store.transaction() as tx:
        assert await tx.intake.prune(START) == 0  # only what was handled before the instant given
    clock.set(START + timedelta(days=2) - timedelta(minutes=1))
    await Ticker(study_bot, {}).tick()
    async with store.transaction() as tx:
        assert not await tx.intake.record("telegram", "4242:1", clock.now())  # kept two days
    clock.set(START + timedelta(days=2, minutes=1))
    await Ticker(study_bot, {}).tick()
    async with store.transaction() as tx:
        assert await tx.intake.record("telegram", "4242:1", clock.now())  # forgotten: new again


async def test_adapter_state_is_kept_by_key_and_replaced(store: Store) -> None:
    async with store.transaction() as tx:
        assert await tx.adapter_state.get("discord", "round_channel:1") is None
        await tx.adapter_state.put("discord", "round_channel:1", "7001", START)
        await tx.adapter_state.put("discord", "round_channel:1", "7002", START)
        await tx.adapter_state.put("telegram", "round_channel:1", "x", START)
    async with store.transaction() as tx:
        assert await tx.adapter_state.get("discord", "round_channel:1") == "7002"


def test_the_migration_imports_the_old_discord_state_file_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"commands:9000:global": "abc123", "round_channel:7000": "7002"}))
    monkeypatch.setenv("DISCORD_STATE_FILE", str(state))
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(alembic_config(url), "0005")  # a database from before
    upgrade(url)
    upgrade(url)  # at the newest already: nothing imported twice

    async def rows() -> list[tuple[str, str, str]]:
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                result = await conn.execute(text("SELECT platform, key, value FROM adapter_state "
                                                 "ORDER BY key"))
                return [(p, k, v) for p, k, v in result]
        finally:
            await engine.dispose()

    assert asyncio.run(rows()) == [("discord", "commands:9000:global", "abc123"),
                                   ("discord", "round_channel:7000", "7002")]


def test_instances_starting_together_on_postgresql_migrate_in_turn(postgres_url: str) -> None:
    """Every `cmas-bot run` upgrades first: two at once on an empty database must both succeed."""
    name = f"cmas_migrate_{random.randrange(10**9)}"

    async def admin(statement: str) -> None:
        engine = make_engine(postgres_url)
        try:
            async with engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(admin(f"CREATE DATABASE {name}"))
    try:
        url = postgres_url.rsplit("/", 1)[0] + f"/{name}"

        env = {**os.environ, "DATABASE_URL": url}
        runs = [subprocess.Popen([str(CMAS_BOT), "db", "upgrade"], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT) for _ in range(2)]  # two processes, as in life
        outputs = [run.communicate(timeout=60)[0].decode() for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
    finally:
        asyncio.run(admin(f"DROP DATABASE {name} WITH (FORCE)"))


async def test_kept_replies_survive_as_text_and_buttons() -> None:
    from bot import outbox
    from bot.outgoing import Choice, Image, Outgoing

    replies = [Outgoing("Your CMAS progress", image=Image("stats.png", b"png")),
               Outgoing("Correct!", (Choice("Next", "1|n|d"),), replace=True, private=True,
                        open_private=True)]
    back = outbox.decode(outbox.encode(replies))
    assert back == [Outgoing("Your CMAS progress"), replies[1]]  # the chart is not kept
    assert outbox.decode(outbox.DELIVERED) == [] and outbox.decode(None) == []
