"""One learner across platforms: /link, /link CODE, /unlink, the merge rules, pushes to one platform,
/forgetme on every account; conversations on the memory store, SQLite and PostgreSQL."""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import event

from bot.core import StudyBot
from bot.domain import linking
from bot.domain.cards import make_scheduler
from bot.domain.exam import MockKind
from bot.domain.linking import (
    CODE_LENGTH,
    Guesses,
    after_wrong,
    cards_to_take,
    longer_streak,
    merged_settings,
)
from bot.domain.models import AnswerRecord, CardState, Learner, Streak
from bot.domain.questions import Bank
from bot.events import Address, Chat, Command, Person
from bot.ports.clock import FixedClock
from bot.ports.storage import Store, UnitOfWork
from bot.storage.engine import alembic_config, make_engine
from bot.storage.store import Store as SqlStore
from scheduler.tick import Ticker
from tests.chat import Chatter
from tests.conftest import START
from tests.memory_store import MemoryStore
from tests.telegram.conftest import make_core, running
from tests.telegram.fake_api import FakeBotApi
from tests.test_scheduler import FakeMessenger

TG = ("telegram", "t1")
DC = ("discord", "d1")
WEEK = START.date()  # a Monday
CODE = re.compile(r"send /link ([2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}) within")


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """As in tests/test_store_contract.py: the conftest's databases plus "memory"."""
    if request.param == "sqlite":
        path = tmp_path / "bot.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return "memory"


@pytest.fixture
def any_store(request: pytest.FixtureRequest, db_url: str) -> Store:
    if db_url == "memory":
        return MemoryStore()
    sql: Store = request.getfixturevalue("store")
    return sql


@pytest.fixture
def bot(any_store: Store, bank: Bank, clock: FixedClock) -> StudyBot:
    return StudyBot(any_store, bank, clock, rng=random.Random(7), scheduler=make_scheduler(fuzz=False),
                    shuffle_choices=False)


def on(bot: StudyBot, account: tuple[str, str]) -> Chatter:
    platform, user = account
    return Chatter(bot, user, platform=platform)


async def code_from(chat: Chatter) -> str:
    await chat.send("/link")
    found = CODE.search(chat.text)
    assert found, chat.text
    return found.group(1)


async def learner_of(store: Store, account: tuple[str, str]) -> Learner | None:
    async with store.transaction() as tx:
        return await tx.learners.find_learner(*account)


async def seed(tx: UnitOfWork, learner: Learner, cards: dict[str, float], answers: int, points: int,
               streak: Streak, group: tuple[str, str]) -> None:
    """Cards by question with their stability, answers, points in a group of the learner's own."""
    for question, stability in cards.items():
        await tx.answers.save_card(learner.id, CardState(question, 2, stability, 5.0, START, START))
    for n in range(answers):
        await tx.answers.record_answer(learner.id, AnswerRecord(
            f"d{n + 1}-0003", n + 1, True, False, START - timedelta(days=1), 0))
    await tx.groups.group(*group, "Study", START)
    await tx.groups.join_group(*group, learner.id, START)
    await tx.points.add_points(learner.id, points, [(*group, WEEK)])
    await tx.learners.update_learner(learner, streak=streak)


# The rules, alone


def test_codes_are_unambiguous_and_read_back_in_any_form() -> None:
    codes = {linking.new_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == CODE_LENGTH == 10 for c in codes)
    assert not set("".join(codes)) & set("01OI")
    assert len(linking.ALPHABET) ** linking.CODE_LENGTH >= 2 ** 50
    code = "ABCDE23456"
    assert linking.shown(code) == "ABCDE-23456"
    assert {linking.read_code(t) for t in ("ABCDE-23456", "abcde 23456", " abcde23456 ")} == {code}
    assert linking.read_code("ABCDE-01234") is None and linking.read_code("ABCD-2345") is None
    assert linking.code_hash(code) != code and len(linking.code_hash(code)) == 64


def test_five_wrong_codes_lock_for_an_hour_then_the_count_starts_again() -> None:
    guesses = Guesses()
    for n in range(1, 5):
        guesses = after_wrong(guesses, START)
        assert guesses == Guesses(n, None)
    guesses = after_wrong(guesses, START)
    assert guesses == Guesses(5, START + timedelta(hours=1))
    assert linking.standing(guesses, START + timedelta(minutes=59)) == guesses
    assert linking.standing(guesses, START + timedelta(hours=1)) == Guesses()
    assert after_wrong(guesses, START + timedelta(hours=1)) == Guesses(1, None)


def test_the_stronger_card_wins_and_the_longer_streak() -> None:
    weak = CardState("q", 2, 1.5, 6.0, START, START)
    strong = CardState("q", 2, 20.0, 4.0, START, START - timedelta(days=3))
    never = CardState("q", 1, None, None, START, None)
    assert linking.stronger(weak, strong) is strong and linking.stronger(strong, weak) is strong
    assert linking.stronger(never, weak) is weak
    kept = [CardState("a", 2, 9.0, 5.0, START, START), CardState("b", 2, 1.0, 5.0, START, START)]
    joining = [CardState("a", 2, 3.0, 5.0, START, START), CardState("b", 2, 4.0, 5.0, START, START),
               CardState("c", 2, 0.5, 5.0, START, START)]
    assert cards_to_take(kept, joining) == {"b", "c"}
    today = date(2026, 3, 10)
    short, long = Streak(3, today, 0), Streak(12, today - timedelta(days=1), 1)
    assert longer_streak(short, long, today) == long and longer_streak(long, short, today) == long
    broken = Streak(40, today - timedelta(days=5), 0)  # 40 days, but it ended: 0 today
    assert longer_streak(broken, short, today) == short


def test_the_makers_settings_win_and_the_joiners_fill_the_gaps() -> None:
    base = Learner(1, "telegram", "t1", "A", "America/Chicago", time(19), None, 15, "t1", False)
    other = Learner(2, "discord", "d1", "B", "Europe/London", time(7), date(2027, 2, 1), 20, "d1", False,
                    Streak(4, date(2026, 3, 2), 0), date(2025, 6, 1), (70.0, 0.6))
    changes = merged_settings(base, other, date(2026, 3, 2))
    assert changes == {"exam_date": date(2027, 2, 1), "streak": Streak(4, date(2026, 3, 2), 0),
                       "certified_on": date(2025, 6, 1)}
    assert merged_settings(base, replace(other, digest=True), date(2026, 3, 2))["digest"] is True
    assert "digest" not in merged_settings(replace(base, digest=True), other, date(2026, 3, 2))


async def test_a_digest_asked_for_on_either_account_comes_after_the_link(
        bot: StudyBot, any_store: Store, clock: FixedClock) -> None:
    tg, dc = on(bot, TG), on(bot, DC)
    await dc.send("/digest on")  # only the joining account asked for it
    code = await code_from(tg)
    await dc.send(f"/link {code}")
    assert dc.text.startswith("Linked")
    linked = await learner_of(any_store, TG)
    assert linked is not None and linked.digest
    sunday_evening = datetime(2026, 3, 8, 18, tzinfo=UTC)  # START's Sunday, 18:00 in the default UTC
    async with any_store.transaction() as tx:
        due = await tx.pushes.digests_due(sunday_evening, ["telegram", "discord"], 10)
    assert [learner.id for learner, _ in due] == [linked.id]


# Conversations on every store


async def test_linking_joins_conflicting_histories(bot: StudyBot, any_store: Store) -> None:
    tg, dc = on(bot, TG), on(bot, DC)
    await tg.send("/timezone America/Chicago")
    await dc.send("/timezone Europe/London")
    await dc.send("/examdate 2027-02-15")
    async with any_store.transaction() as tx:
        maker, joiner = await tx.learners.find_learner(*TG), await tx.learners.find_learner(*DC)
        assert maker and joiner and maker.id != joiner.id
        await seed(tx, maker, {"d1-0001": 2.0, "d2-0001": 8.0, "d4-0001": 1.0}, 2, 30,
                   Streak(3, WEEK, 0), ("telegram", "-100"))
        await seed(tx, joiner, {"d1-0001": 12.0, "d2-0001": 1.0, "d3-0001": 0.5}, 3, 20,
                   Streak(9, WEEK, 1), ("discord", "g1"))
        await tx.groups.subscribe_report("discord", "g1", joiner.id, "d1", START, START + timedelta(days=7))
        await tx.exams.record_exam_attempt(maker.id, date(2026, 2, 1), False, START)
        await tx.exams.record_exam_attempt(joiner.id, date(2026, 2, 1), True, START)
        await tx.exams.record_exam_attempt(joiner.id, date(2025, 11, 1), False, START)
        ends = START + timedelta(minutes=30)
        for who in (maker, joiner):
            await tx.mocks.start_mock(who.id, who.platform, who.user_id, MockKind.SPRINT,
                                      [("d1-0001", 1)], START, ends)

    code = await code_from(tg)
    await dc.send(f"/link {code.lower()}")
    assert "Linked: your Discord and Telegram accounts are now one learner" in dc.text
    assert "(5 answers), one streak (9 days)" in dc.text
    assert [c.label for c in dc.last[0].choices] == ["Reminders on Telegram", "Reminders on Discord"]

    one = await learner_of(any_store, TG)
    assert one is not None and one == await learner_of(any_store, DC) and one.id == maker.id
    assert one.timezone == "America/Chicago"  # the maker's
    assert one.exam_date == date(2027, 2, 15)  # the maker had none
    assert one.streak == Streak(9, WEEK, 1)  # the longer
    assert (one.platform, one.private_chat_id) == ("telegram", "t1")  # pushes: the maker's account
    async with any_store.transaction() as tx:
        cards = {c.question_id: c.stability for c in await tx.answers.cards(one.id)}
        assert cards == {"d1-0001": 12.0, "d2-0001": 8.0, "d3-0001": 0.5, "d4-0001": 1.0}
        assert len(await tx.answers.answers_since(one.id, START - timedelta(days=2))) == 5
        assert [(a.taken_on, a.passed) for a in await tx.exams.exam_attempts(one.id)] == [
            (date(2025, 11, 1), False), (date(2026, 2, 1), False)]  # a day both reported: the maker's
        assert len(await tx.mocks.mock_history(one.id, 5)) == 2  # the joiner's running one stopped
        assert {g.chat_id for g in await tx.groups.learner_groups(one.id)} == {"-100", "g1"}
        assert await tx.groups.report_subscribed("discord", "g1", one.id)
        for group in (("telegram", "-100"), ("discord", "g1")):
            assert [s.points for s in await tx.points.leaderboard(*group, None)] == [50]
        assert {i.platform for i in await tx.link.identities(one.id)} == {"telegram", "discord"}
        assert await tx.learners.find_learner(*DC) is not None
    await dc.send("/settings")
    assert "Time zone: America/Chicago" in dc.text
    assert "Accounts: Telegram and Discord; reminders go to Telegram only" in dc.text


async def test_a_code_lasts_ten_minutes_and_works_once(bot: StudyBot, clock: FixedClock) -> None:
    tg, dc, console = on(bot, TG), on(bot, DC), on(bot, ("console", "me"))
    code = await code_from(tg)
    clock.set(START + timedelta(minutes=10))
    await dc.send(f"/link {code}")
    assert "This code has expired: codes last 10 minutes" in dc.text
    code = await code_from(tg)
    clock.set(START + timedelta(minutes=19, seconds=59))
    await dc.send(f"/link {code}")
    assert dc.text.startswith("Linked")
    await console.send(f"/link {code}")
    assert "This code has already been used" in console.text
    fresh = await code_from(tg)
    await console.send(f"/link {fresh}")
    assert console.text.startswith("Linked: your console and Telegram accounts")


async def test_guessing_locks_the_guessing_account(bot: StudyBot, any_store: Store,
                                                   clock: FixedClock) -> None:
    tg, dc, other = on(bot, TG), on(bot, DC), on(bot, ("discord", "d2"))
    code = await code_from(tg)
    await dc.send("/link ABCD")  # not even the form of a code: no try counted
    assert "That is not a link code" in dc.text
    for left in (4, 3, 2, 1):
        await dc.send("/link ZZZZZ-ZZZZZ")
        assert f"That code is not right. {left} tr" in dc.text
    await dc.send("/link ZZZZZ-ZZZZZ")
    assert "After 5 wrong codes, /link CODE is locked for this account for 1 hour, until 16:00" in dc.text
    await dc.send(f"/link {code}")  # the right code, too late
    assert "Too many wrong codes" in dc.text
    assert (await learner_of(any_store, DC)) != (await learner_of(any_store, TG))
    await other.send("/link ZZZZZ-ZZZZZ")  # another account has its own count
    assert "4 tries left" in other.text
    clock.set(START + timedelta(hours=1))
    code = await code_from(tg)
    await dc.send(f"/link {code}")
    assert dc.text.startswith("Linked")
    async with any_store.transaction() as tx:
        assert await tx.link.guesses(*DC) == Guesses()


async def test_refusals_change_nothing(bot: StudyBot, any_store: Store) -> None:
    tg, dc, tg2 = on(bot, TG), on(bot, DC), on(bot, ("telegram", "t2"))
    code = await code_from(tg)
    await tg.send(f"/link {code}")
    assert "That code was made by you here" in tg.text
    await dc.send(f"/link {code}")
    assert dc.text.startswith("Linked")
    await tg2.send(f"/link {await code_from(dc)}")
    assert "already linked with a Telegram account" in tg2.text
    await dc.send(f"/link {await code_from(tg2)}")
    assert "already linked with your Telegram account. Send /unlink here first" in dc.text
    group = Chatter(bot, "t1", chat_id="-100", group=True, platform="telegram")
    await group.send("/link")
    assert "/link is just for you" in group.text
    async with any_store.transaction() as tx:
        one = await tx.learners.find_learner(*TG)
        assert one is not None and len(await tx.link.identities(one.id)) == 2


async def test_pushes_go_to_one_platform_of_the_learners_choice(bot: StudyBot, clock: FixedClock) -> None:
    clock.set(datetime(2026, 3, 2, 12, tzinfo=UTC))
    telegram, discord = FakeMessenger("telegram"), FakeMessenger("discord")
    ticker = Ticker(bot, {"telegram": telegram, "discord": discord})
    tg, dc = on(bot, TG), on(bot, DC)
    await tg.send("/remind 19:00")
    await dc.send("/remind 08:00")
    await dc.send(f"/link {await code_from(tg)}")
    await ticker.tick(datetime(2026, 3, 2, 19, tzinfo=UTC))
    await ticker.tick(datetime(2026, 3, 3, 8, tzinfo=UTC))
    assert len(telegram.to("t1")) == 1 and discord.sent == []  # the maker's time and platform

    await dc.press("Reminders on Discord")
    assert "now go to Discord only" in dc.text
    await ticker.tick(datetime(2026, 3, 3, 19, tzinfo=UTC))
    assert len(telegram.to("t1")) == 1 and len(discord.to("d1")) == 1
    await tg.send("/settings")
    assert "reminders go to Discord only" in tg.text


async def test_unlink_leaves_the_history_with_the_linked_learner(bot: StudyBot, any_store: Store) -> None:
    tg, dc = on(bot, TG), on(bot, DC)
    await dc.send("/unlink")
    assert "not linked to another one" in dc.text
    await dc.send(f"/link {await code_from(tg)}")
    await dc.press("Reminders on Discord")
    async with any_store.transaction() as tx:
        one = await tx.learners.find_learner(*TG)
        assert one is not None
        await tx.answers.record_answer(one.id, AnswerRecord("d1-0001", 1, True, False, START, 10))
    await dc.send("/unlink")
    assert "Your history, streak, points and settings stay with your Telegram account" in dc.text
    await dc.press("Cancel")
    assert await learner_of(any_store, DC) == await learner_of(any_store, TG)
    await dc.send("/unlink")
    await dc.press("Yes, unlink")
    assert "This Discord account is a new learner now" in dc.text
    kept, fresh = await learner_of(any_store, TG), await learner_of(any_store, DC)
    assert kept is not None and fresh is not None and kept.id == one.id and fresh.id != one.id
    assert (kept.platform, kept.private_chat_id) == ("telegram", "t1")  # pushes came back home
    assert (fresh.platform, fresh.user_id, fresh.private_chat_id) == ("discord", "d1", "d1")
    async with any_store.transaction() as tx:
        assert len(await tx.answers.answers_since(kept.id, START)) == 1
        assert await tx.answers.answers_since(fresh.id, START) == []
        assert [i.platform for i in await tx.link.identities(kept.id)] == ["telegram"]


async def test_a_group_report_goes_with_the_account_that_asked_for_it(bot: StudyBot, any_store: Store,
                                                                       clock: FixedClock) -> None:
    """An admin subscribes as the account they run the group with: unlinking that account takes the
    subscription along; unlinking another leaves it."""
    tg, dc = on(bot, TG), on(bot, DC)
    await dc.send(f"/link {await code_from(tg)}")
    group = Chat(Address("discord", "guild:5"), is_group=True, title="Evening class")
    await bot.handle(Command(dc.person, group, "groupreport", ("weekly", "on"), is_admin=True))
    linked = await learner_of(any_store, TG)
    assert linked is not None
    await tg.send("/unlink")
    await tg.press("Yes, unlink")  # the Telegram account leaves: the Discord subscription stays
    async with any_store.transaction() as tx:
        assert await tx.groups.report_subscribed("discord", "guild:5", linked.id)
    await tg.send(f"/link {await code_from(dc)}")
    await dc.send("/unlink")
    await dc.press("Yes, unlink")  # now the Discord account leaves, and its subscription with it
    fresh, kept = await learner_of(any_store, DC), await learner_of(any_store, TG)
    assert fresh is not None and kept is not None and fresh.id != kept.id
    async with any_store.transaction() as tx:
        assert await tx.groups.report_subscribed("discord", "guild:5", fresh.id)
        assert not await tx.groups.report_subscribed("discord", "guild:5", kept.id)


async def test_a_group_report_goes_to_the_private_chat_of_the_account_that_asked(
        bot: StudyBot, any_store: Store, clock: FixedClock) -> None:
    """A linked learner's pushes go to one account's chat; a report goes to the account that runs
    the group, on the group's platform, whichever account their pushes use."""
    tg, dc = on(bot, TG), on(bot, DC)
    await dc.send(f"/link {await code_from(tg)}")
    linked = await learner_of(any_store, DC)
    assert linked is not None and (linked.platform, linked.private_chat_id) == ("telegram", "t1")
    group = Chat(Address("discord", "guild:5"), is_group=True, title="Evening class")
    await bot.handle(Command(dc.person, group, "groupreport", ("weekly", "on"), is_admin=True))
    async with any_store.transaction() as tx:
        [(subscription, _due)] = await tx.pushes.reports_due(clock.now() + timedelta(days=8), ["discord"], 10)
    assert subscription.private_chat_id == "d1"

async def test_forgetme_deletes_every_linked_account(bot: StudyBot, any_store: Store) -> None:
    tg, dc = on(bot, TG), on(bot, DC)
    await dc.send(f"/link {await code_from(tg)}")
    one = await learner_of(any_store, TG)
    assert one is not None
    await code_from(tg)  # a live code and a wrong-code count to go too
    await dc.send("/link ZZZZZ-ZZZZZ")
    await dc.send("/forgetme")
    assert "on every account you linked" in dc.text
    await dc.press("Yes, delete everything")
    assert await learner_of(any_store, TG) is None and await learner_of(any_store, DC) is None
    async with any_store.transaction() as tx:
        assert await tx.link.identities(one.id) == []
        assert await tx.link.guesses(*DC) == Guesses()
        again = await tx.learners.learner(Person(*TG, "A"), START, "t1")
        assert tx.new_learner_ids == {again.id}


async def test_a_known_account_finds_its_learner_in_one_query(tmp_path: Path,
                                                               sqlite_template: Path) -> None:
    """Every update looks its learner up: one SELECT, through the identity, nothing more."""
    path = tmp_path / "bot.sqlite3"
    shutil.copy(sqlite_template, path)
    store = SqlStore(make_engine(f"sqlite+aiosqlite:///{path}"))
    person = Person(*TG, "A")
    async with store.transaction() as tx:
        await tx.learners.learner(person, START, "t1")
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(store.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with store.transaction() as tx:
            await tx.learners.learner(person, START, "t1")
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", count)
        await store.engine.dispose()
    queries = [s for s in statements if not s.startswith(("BEGIN", "COMMIT"))]
    assert len(queries) == 1 and "JOIN identities" in queries[0]


def test_migration_gives_every_learner_its_identity(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    config = alembic_config(f"sqlite+aiosqlite:///{path}")
    command.upgrade(config, "0008")
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO learners (platform, user_id, display_name, daily_goal, private_chat_id, "
                   "unreachable, created_at) VALUES ('telegram', '7', 'Old', 10, '7', 0, "
                   "'2026-01-01 00:00:00.000000')")
    command.upgrade(config, "0009")
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT platform, user_id, learner_id, private_chat_id, unreachable "
                          "FROM identities").fetchall()
    assert rows == [("telegram", "7", 1, "7", 0)]
    command.downgrade(config, "0008")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM learners").fetchone() == (1,)


async def test_a_code_is_used_once(any_store: Store) -> None:
    digest = linking.code_hash("ABCDE23456")
    async with any_store.transaction() as tx:
        learner = await tx.learners.learner(Person(*TG, "A"), START, "t1")
        [me] = await tx.link.identities(learner.id)
        await tx.link.issue_code(digest, me, START, START + linking.CODE_TTL)
    async with any_store.transaction() as tx:
        found = await tx.link.find_code(digest)
        assert found == linking.LinkCode(learner.id, *TG, START + linking.CODE_TTL, None)
        assert await tx.link.use_code(digest, START)
        assert not await tx.link.use_code(digest, START)
        await tx.link.issue_code(linking.code_hash("ZZZZZ23456"), me, START, START)  # replaces it
        assert await tx.link.find_code(digest) is None


async def test_link_on_telegram_and_the_code_on_another_platform(tmp_path: Path, sqlite_template: Path,
                                                                bank: Bank, clock: FixedClock) -> None:
    """Through the real Telegram adapter (a fake Bot API): /link there, /link CODE on Discord, and
    Telegram's /settings shows both accounts."""
    path = tmp_path / "bot.sqlite3"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    core = make_core(SqlStore(engine), bank, clock)
    try:
        async with FakeBotApi() as api, running(core, api):
            alice = api.user(101, "Alice")
            menu = {c["command"] for call in api.made("setMyCommands")
                    if call.params["scope"]["type"] == "all_private_chats" for c in call.params["commands"]}
            assert {"link", "unlink"} <= menu
            api.say(alice, "/link")
            [made] = await api.wait("sendMessage", chat_id=101)
            found = CODE.search(made.text)
            assert found, made.text
            discord = on(core, DC)
            await discord.send(f"/link {found.group(1)}")
            assert discord.text.startswith("Linked: your Discord and Telegram accounts")
            mark = api.mark()
            api.say(alice, "/settings")
            [settings] = await api.wait("sendMessage", since=mark, chat_id=101)
            assert "Accounts: Telegram and Discord; reminders go to Telegram only" in settings.text
    finally:
        await engine.dispose()
