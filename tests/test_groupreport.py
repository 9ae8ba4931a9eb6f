"""/groupreport: the figures against a hand-computed tally (memory, SQLite and PostgreSQL), admins
only, privately to the admin; and `weekly on`: once every Monday morning, the admin's time."""

from __future__ import annotations

import asyncio
import random
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core import StudyBot
from bot.domain.cards import make_scheduler
from bot.domain.exam import MockKind
from bot.domain.models import AnswerRecord, PushKind
from bot.domain.questions import Bank
from bot.events import Address, Chat, Command, Person
from bot.groupreport import chart
from bot.outgoing import Outgoing
from bot.ports.clock import FixedClock
from bot.ports.storage import Store
from bot.pushes.claims import claim_due
from bot.welcome.texts import HELP
from scheduler.tick import Ticker
from tests.chat import Chatter
from tests.conftest import START
from tests.held_drawing import HeldDrawing
from tests.test_scheduler import FakeMessenger, local
from tests.test_store_contract import any_store, db_url  # noqa: F401  (memory, SQLite, PostgreSQL)
from tests.ticking import tick_twice_every_half_hour

GROUP = Chat(Address("test", "grp"), is_group=True, title="Evening class")
ANN, BOB, CY, DEE, EVE, ZED = (Person("test", user, name) for user, name in (
    ("a", "Ann"), ("b", "Bob"), ("c", "Cy"), ("d", "Dee"), ("e", "Eve"), ("z", "Zed")))
NY = ZoneInfo("America/New_York")
TODAY = START.date()  # a Monday; the default time zone is UTC


@pytest.fixture
def any_bot(any_store: Store, bank: Bank, clock: FixedClock) -> StudyBot:  # noqa: F811
    return StudyBot(any_store, bank, clock, rng=random.Random(7), scheduler=make_scheduler(fuzz=False),
                    shuffle_choices=False)


async def ask(bot: StudyBot, person: Person, *args: str, admin: bool = True,
              chat: Chat = GROUP) -> list[Outgoing]:
    return await bot.handle(Command(person, chat, "groupreport", args, is_admin=admin))


async def seed(store: Store) -> None:
    """Five members and an outsider. In the last 7 days (tally in the test below):
    Ann  d1-0001 wrong, d1-0002 right, d4-0001 right, d4-0001 wrong (a review); exam in 5 days
    Bob  d1-0001 wrong, d1-0002 right, d4-0001 wrong; exam in 31 days
    Cy   d1-0001 right, d1-0002 right, d4-0001 wrong, and d5-0001 wrong in a mock
    Eve  d1-0003 wrong 4 days ago; exam in 30 days
    Dee  d1-0003 wrong 10 days ago (outside the week); exam in 12 days
    Zed  (not a member) d1-0001 wrong three times."""
    hour_ago = START - timedelta(hours=1)
    answers = {
        ANN: [("d1-0001", False), ("d1-0002", True), ("d4-0001", True), ("d4-0001", False)],
        BOB: [("d1-0001", False), ("d1-0002", True), ("d4-0001", False)],
        CY: [("d1-0001", True), ("d1-0002", True), ("d4-0001", False)],
        ZED: [("d1-0001", False)] * 3,
    }
    async with store.transaction() as tx:
        ids = {p: (await tx.learners.learner(p, START - timedelta(days=20), p.user_id)).id
               for p in (ANN, BOB, CY, DEE, EVE, ZED)}
        for person in (ANN, BOB, CY, DEE, EVE):
            await tx.groups.join_group("test", "grp", ids[person], START - timedelta(days=20))
        for person, given in answers.items():
            for qid, correct in given:
                await tx.answers.record_answer(ids[person], AnswerRecord(
                    qid, int(qid[1]), correct, False, hour_ago))
        await tx.answers.record_answer(ids[EVE], AnswerRecord("d1-0003", 1, False, False,
                                                              START - timedelta(days=4)))
        await tx.answers.record_answer(ids[DEE], AnswerRecord("d1-0003", 1, False, False,
                                                              START - timedelta(days=10)))
        mock = await tx.mocks.start_mock(ids[CY], "test", "c", MockKind.SPRINT, [("d5-0001", 5)],
                                         hour_ago, START + timedelta(hours=1))
        assert mock is not None and await tx.mocks.answer_mock(mock.id, 0, "A", False, hour_ago)
        for person, days in ((ANN, 5), (BOB, 31), (EVE, 30), (DEE, 12)):
            learner = await tx.learners.find_learner("test", person.user_id)
            assert learner is not None
            await tx.learners.update_learner(learner, exam_date=TODAY + timedelta(days=days))


EXPECTED = """Group report: Evening class · last 7 days
Active: 4 of 5 members answered at least one question: Ann, Bob, Cy, Eve

Accuracy by domain (exam weight · group accuracy of its answers):
D1 Foundations: weight 13% · 57% of 7
D2 Clinical: weight 7% · no answers
D3 Clerical: weight 10% · no answers
D4 Records: weight 17% · 25% of 4
D5 Insurance & coding: weight 17% · 0% of 1
D6 Finance: weight 17% · no answers
D7 Information processing: weight 7% · no answers
D8 Management: weight 12% · no answers
All domains: 42% of 12

Most missed (answered by 3+ members; answers not shown):
1. d4-0001 "Question 1 of domain 4: which choice is keyed?": missed 75% of 4 answers (3 members)
2. d1-0001 "Question 1 of domain 1: which choice is keyed?": missed 67% of 3 answers (3 members)

Exam within 30 days, nothing answered for 3 days:
Dee: exam in 12 days (Mar 14)
Eve: exam in 30 days (Apr 01)"""


async def test_the_report_matches_a_hand_count_and_goes_to_the_admin_privately(
        any_bot: StudyBot) -> None:
    # By hand: D1 = Ann 1/2 + Bob 1/2 + Cy 2/2 + Eve 0/1 = 4/7; D4 = 1/4; D5 = Cy's mock 0/1.
    # Dee's answer is older than the week and Zed is no member; d1-0003 and d5-0001 had one member;
    # d1-0002 (three members) nobody missed.
    await seed(any_bot.store)
    notice, report = await ask(any_bot, ANN)
    assert notice.text == "Ann: the group report is on its way to you privately."
    assert not notice.private and report.private
    assert report.text == EXPECTED
    assert "keyed B" not in report.text and "second 1" not in report.text  # no answers shown
    assert report.image is not None and report.image.png.startswith(b"\x89PNG")


async def test_non_admins_and_private_chats_get_one_line_and_bad_arguments_change_nothing(
        any_bot: StudyBot) -> None:
    await seed(any_bot.store)
    [refused] = await ask(any_bot, BOB, admin=False)
    assert refused.text == "Only the group's admins can see its report." and refused.image is None
    [refused] = await ask(any_bot, BOB, "weekly", "on", admin=False)
    assert refused.text == "Only the group's admins can see its report."
    [private] = await ask(any_bot, ANN, chat=Chat(Address("test", "a"), is_group=False))
    assert private.text.startswith("/groupreport works in a group chat")
    for args in (("weekly",), ("weekly", "maybe"), ("monthly", "on"), ("weekly", "on", "now")):
        [usage] = await ask(any_bot, ANN, *args)
        assert usage.text.startswith("/groupreport: this week's report"), args
    async with any_bot.store.transaction() as tx:
        ann = await tx.learners.find_learner("test", "a")
        bob = await tx.learners.find_learner("test", "b")
        assert ann is not None and bob is not None
        assert not await tx.groups.report_subscribed("test", "grp", ann.id)
        assert not await tx.groups.report_subscribed("test", "grp", bob.id)


async def test_a_member_who_answers_in_the_group_shows_as_active(any_bot: StudyBot) -> None:
    """Through the conversation: an answer to a group round counts like any other."""
    bob = Chatter(any_bot, "b", "grp", group=True)
    await bob.send("/quiz")  # a round of 5 for the group
    _, report = await ask(any_bot, ANN)
    assert "Active: 0 of 2 members answered at least one question." in report.text
    await bob.press("B")
    _, report = await ask(any_bot, ANN)
    assert "Active: 1 of 2 members answered at least one question: User b" in report.text
    lines = report.text.splitlines()
    assert sum(line.startswith("D") and line.endswith("· 100% of 1") for line in lines) == 1
    assert "All domains: 100% of 1" in lines


async def test_weekly_reports_come_once_each_monday_morning_to_each_admin_of_each_group(
        any_bot: StudyBot, clock: FixedClock) -> None:
    other = Chat(Address("test", "grp2"), is_group=True, title="Weekend class")
    await any_bot.handle(Command(ANN, Chat(Address("test", "a"), is_group=False), "timezone",
                                 ("America/New_York",)))
    [on] = await ask(any_bot, ANN, "weekly", "on")
    assert "every Monday at 09:00 your time" in on.text and on.open_private
    await ask(any_bot, ANN, "weekly", "on", chat=other)
    await ask(any_bot, BOB, "weekly", "on")  # Bob: UTC, never wrote privately: his user id
    [off] = await ask(any_bot, CY, "weekly", "off")
    assert off.text == "Cy: you had no weekly report for this group."
    messenger = FakeMessenger()
    ticker = Ticker(any_bot, {"test": messenger})
    sent_at = [(chat, instant, text) for instant, (chat, text)
               in await tick_twice_every_half_hour(ticker, messenger.sent, START, 15)]
    mondays = [TODAY + timedelta(days=7), TODAY + timedelta(days=14)]
    reports = [(chat, at, text) for chat, at, text in sent_at if text.startswith("Group report")]
    ann = [(at, text) for chat, at, text in reports if chat == "a"]
    bob = [(at, text) for chat, at, text in reports if chat == "b"]
    assert [at for at, _ in ann] == [local(d, time(9), NY) for d in mondays for _ in range(2)]
    assert sorted(text.splitlines()[0] for _, text in ann) == [
        "Group report: Evening class · last 7 days", "Group report: Evening class · last 7 days",
        "Group report: Weekend class · last 7 days", "Group report: Weekend class · last 7 days"]
    assert [at for at, _ in bob] == [local(d, time(9), ZoneInfo("UTC")) for d in mondays]
    assert all("/groupreport weekly off in the group stops it" in text for _, text in ann + bob)
    assert {chat for chat, _, _ in reports} == {"a", "b"}

    [stopped] = await ask(any_bot, ANN, "weekly", "off")
    assert stopped.text == "Ann: weekly group report off."
    before = len(messenger.sent)
    await ticker.tick(local(TODAY + timedelta(days=21), time(9), NY))  # Bob's 09:00 UTC is 4 h late
    assert sorted((chat, text.splitlines()[0]) for chat, text in messenger.sent[before:]
                  if text.startswith("Group report")) == [
        ("a", "Group report: Weekend class · last 7 days"),
        ("b", "Group report: Evening class · last 7 days")]


async def test_a_weekly_reports_chart_is_drawn_once_the_claim_has_ended(
        any_bot: StudyBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawn inside the claim's transaction, a Monday's reports held SQLite's write lock for about
    140 ms each, one after another, and every event waited for them."""
    await ask(any_bot, BOB, "weekly", "on")
    held = HeldDrawing(chart.render)
    monkeypatch.setattr(chart, "render", held)
    monday = local(TODAY + timedelta(days=7), time(9), ZoneInfo("UTC"))
    claiming = asyncio.create_task(claim_due(any_bot.store, any_bot.bank, "UTC", monday, ["test"],
                                             random.Random(1)))
    assert await held.started()
    private = Chat(Address("test", "a"), is_group=False)
    [helped] = await asyncio.wait_for(any_bot.handle(Command(ANN, private, "help")), 2)  # not held up
    held.release()
    [report] = [p.message for p in (await claiming).pushes if p.kind is PushKind.GROUP_REPORT]
    assert helped.text == HELP
    assert report.drawing is None and report.image is not None and report.image.png.startswith(b"\x89PNG")


async def test_a_weekly_report_is_skipped_while_its_reader_is_no_admin(any_bot: StudyBot) -> None:
    await ask(any_bot, BOB, "weekly", "on")  # Bob never wrote privately: his chat is his user id "b"
    messenger = FakeMessenger()
    messenger.demoted.add(("grp", "b"))
    ticker = Ticker(any_bot, {"test": messenger})
    mondays = [local(TODAY + timedelta(weeks=n), time(9), ZoneInfo("UTC")) for n in (1, 2)]
    first = await ticker.tick(mondays[0])
    assert "skipped: group_report -> test:b" in first.lines and messenger.to("b") == []
    messenger.demoted.clear()  # promoted again: the next Monday's report goes
    second = await ticker.tick(mondays[1])
    assert "sent: group_report -> test:b" in second.lines
    [report] = messenger.to("b")
    assert report.startswith("Group report: Evening class")
