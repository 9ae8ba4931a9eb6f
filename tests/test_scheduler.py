"""Scheduled pushes: local times across DST, milestones, groups, and exactly-once delivery through
restarts, overlapping ticks and two instances."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.core import StudyBot
from bot.domain.cards import make_scheduler
from bot.domain.schedule import next_push_at
from bot.events import Address, Command
from bot.outgoing import Outgoing
from bot.ports.clock import FixedClock
from bot.ports.delivery import RecipientUnreachable, RetryLater
from bot.pushes.claims import claim_due
from bot.storage.engine import make_engine
from bot.storage.schema import PushRow
from bot.storage.store import Store
from scheduler.tick import Ticker
from tests.chat import Chatter

NY = ZoneInfo("America/New_York")


class FakeMessenger:
    """Records deliveries; can refuse some chats or ask for a pause first."""

    def __init__(self, platform: str = "test") -> None:
        self.platform = platform
        self.sent: list[tuple[str, str]] = []
        self.blocked: set[str] = set()
        self.retry_after: dict[str, float] = {}
        self.demoted: set[tuple[str, str]] = set()  # (group chat, user): no admin there any more

    async def administers(self, group: Address, user_id: str) -> bool:
        return (group.chat_id, user_id) not in self.demoted

    async def send(self, address: Address, message: Outgoing) -> None:
        if address.chat_id in self.blocked:
            raise RecipientUnreachable(address.chat_id)
        if wait := self.retry_after.pop(address.chat_id, None):
            raise RetryLater(wait)
        self.sent.append((address.chat_id, message.text))

    def to(self, chat_id: str) -> list[str]:
        return [text for chat, text in self.sent if chat == chat_id]


def local(day: date, at: time, zone: ZoneInfo = NY) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


async def learner(bot: StudyBot, user: str, *commands: str) -> Chatter:
    chat = Chatter(bot, user)
    for command in commands:
        await chat.send(command)
    return chat


@pytest.fixture
def messenger() -> FakeMessenger:
    return FakeMessenger()


@pytest.fixture
def ticker(study_bot: StudyBot, messenger: FakeMessenger) -> Ticker:
    return Ticker(study_bot, {"test": messenger})


def test_reminder_keeps_its_local_time_across_dst() -> None:
    # 2026-03-08 is the US spring-forward day: 19:00 in New York moves from 00:00 to 23:00 UTC.
    at = time(19, 0)
    before = next_push_at(at, None, NY, datetime(2026, 3, 7, 12, tzinfo=UTC))
    after = next_push_at(at, None, NY, datetime(2026, 3, 8, 12, tzinfo=UTC))
    assert before == datetime(2026, 3, 8, 0, 0, tzinfo=UTC)
    assert after == datetime(2026, 3, 8, 23, 0, tzinfo=UTC)
    assert before is not None and after is not None
    assert before.astimezone(NY).hour == after.astimezone(NY).hour == 19


async def test_daily_prompt_at_local_time_once_a_day_across_dst(study_bot: StudyBot, clock: FixedClock,
                                                                 ticker: Ticker,
                                                                 messenger: FakeMessenger) -> None:
    clock.set(datetime(2026, 3, 6, 15, tzinfo=UTC))
    await learner(study_bot, "ny", "/timezone America/New_York", "/remind 19:00")
    for day in (date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)):
        for at in (time(18, 59), time(19, 0), time(19, 0, 30), time(21, 0), time(23, 59)):
            await ticker.tick(local(day, at))
    prompts = messenger.to("ny")
    assert len(prompts) == 4
    assert all("Time for today's CMAS practice." in p and "today's goal: 0/10" in p for p in prompts)


async def test_several_time_zones_each_at_their_own_time(study_bot: StudyBot, clock: FixedClock,
                                                         ticker: Ticker, messenger: FakeMessenger) -> None:
    clock.set(datetime(2026, 6, 1, 0, 0, tzinfo=UTC))
    zones = {"tokyo": "Asia/Tokyo", "london": "Europe/London", "la": "America/Los_Angeles"}
    for user, zone in zones.items():
        await learner(study_bot, user, f"/timezone {zone}", "/remind 07:30")
    sent_at: dict[str, datetime] = {}
    instant = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
    while instant < datetime(2026, 6, 2, 0, 0, tzinfo=UTC):
        await ticker.tick(instant)
        for user in zones:
            if messenger.to(user) and user not in sent_at:
                sent_at[user] = instant
        instant += timedelta(minutes=15)
    assert {u: t.astimezone(ZoneInfo(zones[u])).strftime("%H:%M") for u, t in sent_at.items()} == {
        "tokyo": "07:30", "london": "07:30", "la": "07:30"}
    assert all(len(messenger.to(u)) == 1 for u in zones)


async def test_missed_push_is_sent_late_the_same_day_and_dropped_once_stale(
        study_bot: StudyBot, clock: FixedClock, ticker: Ticker, messenger: FakeMessenger) -> None:
    clock.set(datetime(2026, 4, 1, 12, tzinfo=UTC))
    await learner(study_bot, "ny", "/timezone America/New_York", "/remind 19:00")
    await ticker.tick(local(date(2026, 4, 1), time(21, 30)))  # down from 19:00 to 21:30
    assert len(messenger.to("ny")) == 1
    report = await ticker.tick(local(date(2026, 4, 3), time(3, 0)))  # down all of 2 April
    assert report.sent == 0 and report.skipped == 1 and len(messenger.to("ny")) == 1
    await ticker.tick(local(date(2026, 4, 3), time(19, 0)))  # the schedule carries on
    assert len(messenger.to("ny")) == 2


async def test_exam_milestones_without_a_reminder(study_bot: StudyBot, clock: FixedClock,
                                                  ticker: Ticker, messenger: FakeMessenger) -> None:
    clock.set(datetime(2026, 5, 1, 8, tzinfo=UTC))
    await learner(study_bot, "x", "/examdate 2026-05-15")  # 14, 7, 3, 1, 0 and -1 days remain
    day = date(2026, 5, 1)
    while day <= date(2026, 5, 20):
        for at in (time(8, 59), time(9, 0), time(20, 0)):
            await ticker.tick(local(day, at, ZoneInfo("UTC")))
        day += timedelta(days=1)
    texts = messenger.to("x")
    assert len(texts) == 6
    assert "14 days to your CMAS exam" in texts[0] and "/mock full" in texts[0]
    assert "Your CMAS exam is today. Good luck!" in texts[4]
    assert "How did it go?" in texts[5]


async def test_day_after_exam_offers_result_buttons(study_bot: StudyBot, clock: FixedClock) -> None:
    clock.set(datetime(2026, 5, 1, 12, tzinfo=UTC))
    await learner(study_bot, "x", "/examdate 2026-05-02", "/remind 18:00")
    for day in (1, 2):
        await claim_due(study_bot.store, study_bot.bank, "UTC", datetime(2026, 5, day, 18, 0, tzinfo=UTC),
                        ["test"], random.Random(1))
    claimed = await claim_due(study_bot.store, study_bot.bank, "UTC",
                              datetime(2026, 5, 3, 18, 0, tzinfo=UTC), ["test"], random.Random(1))
    [push] = claimed.pushes
    assert [c.label for c in push.message.choices] == ["Passed", "Not passed", "Start today's session"]


async def test_crash_between_claim_and_send_never_sends_twice(study_bot: StudyBot, clock: FixedClock,
                                                              ticker: Ticker, store: Store,
                                                              messenger: FakeMessenger) -> None:
    """At most once: a claim that was committed but never sent is not sent again."""
    clock.set(datetime(2026, 4, 1, 12, tzinfo=UTC))
    await learner(study_bot, "ny", "/timezone America/New_York", "/remind 19:00")
    due = local(date(2026, 4, 1), time(19, 0))
    claimed = await claim_due(study_bot.store, study_bot.bank, "UTC", due, ["test"], random.Random(1))
    assert len(claimed.pushes) == 1  # ...and then the process dies before sending
    restarted = Ticker(study_bot, {"test": messenger})
    assert (await restarted.tick(due + timedelta(minutes=1))).sent == 0
    assert messenger.sent == []
    async with store.engine.connect() as conn:
        outcomes = list(await conn.scalars(select(PushRow.outcome)))
    assert outcomes == ["claimed"]  # visible to an operator as claimed-but-unsent


async def test_crash_between_send_and_record_never_sends_twice(study_bot: StudyBot, clock: FixedClock,
                                                               messenger: FakeMessenger) -> None:
    clock.set(datetime(2026, 4, 1, 12, tzinfo=UTC))
    await learner(study_bot, "ny", "/timezone America/New_York", "/remind 19:00")
    due = local(date(2026, 4, 1), time(19, 0))

    class DiesAfterSending(FakeMessenger):
        async def send(self, address: Address, message: Outgoing) -> None:
            await super().send(address, message)
            raise asyncio.CancelledError  # killed right after the platform accepted it

    dying = DiesAfterSending()
    with pytest.raises(asyncio.CancelledError):
        await Ticker(study_bot, {"test": dying}).tick(due)
    assert len(dying.sent) == 1
    await Ticker(study_bot, {"test": messenger}).tick(due + timedelta(minutes=1))
    assert messenger.sent == []


async def test_overlapping_ticks_send_each_push_once(study_bot: StudyBot, clock: FixedClock,
                                                     ticker: Ticker, messenger: FakeMessenger) -> None:
    clock.set(datetime(2026, 4, 1, 12, tzinfo=UTC))
    for i in range(30):
        await learner(study_bot, f"u{i}", "/remind 19:00")
    due = datetime(2026, 4, 1, 19, 0, tzinfo=UTC)
    await asyncio.gather(*(ticker.tick(due + timedelta(seconds=s)) for s in range(4)),
                         return_exceptions=True)
    await ticker.tick(due + timedelta(minutes=1))  # whatever a locked overlap left behind
    assert sorted(chat for chat, _ in messenger.sent) == sorted(f"u{i}" for i in range(30))


async def test_two_instances_on_one_database_send_each_push_once(
        study_bot: StudyBot, clock: FixedClock, db_url: str) -> None:
    clock.set(datetime(2026, 4, 1, 12, tzinfo=UTC))
    for i in range(60):
        await learner(study_bot, f"u{i}", "/remind 19:00")
    messengers = [FakeMessenger(), FakeMessenger()]
    engines = [make_engine(db_url), make_engine(db_url)]
    try:
        instances = [Ticker(StudyBot(Store(e), study_bot.bank, clock, scheduler=make_scheduler(fuzz=False),
                    shuffle_choices=False),
                            {"test": m}) for e, m in zip(engines, messengers, strict=True)]
        due = datetime(2026, 4, 1, 19, 0, tzinfo=UTC)
        await asyncio.gather(*(t.tick(due) for t in instances), return_exceptions=True)
        await asyncio.gather(*(t.tick(due + timedelta(minutes=1)) for t in instances),
                             return_exceptions=True)
    finally:
        for engine in engines:
            await engine.dispose()
    delivered = sorted(chat for m in messengers for chat, _ in m.sent)
    assert delivered == sorted(f"u{i}" for i in range(60))


async def test_unreachable_learner_is_marked_and_skipped(study_bot: StudyBot, clock: FixedClock,
                                                         ticker: Ticker, messenger: FakeMessenger) -> None:
    clock.set(datetime(2026, 4, 1, 12, tzinfo=UTC))
    await learner(study_bot, "gone", "/remind 19:00")
    await learner(study_bot, "here", "/remind 19:00")
    messenger.blocked.add("gone")
    report = await ticker.tick(datetime(2026, 4, 1, 19, 0, tzinfo=UTC))
    assert (report.sent, report.skipped) == (1, 1)
    messenger.blocked.clear()
    report = await ticker.tick(datetime(2026, 4, 2, 19, 0, tzinfo=UTC))
    assert report.due == 1 and messenger.to("gone") == []
    await Chatter(study_bot, "gone").send("/stats")  # talking to the bot again makes them reachable
    await ticker.tick(datetime(2026, 4, 3, 19, 0, tzinfo=UTC))
    assert len(messenger.to("gone")) == 1


async def test_rate_limit_pause_is_honoured(study_bot: StudyBot, clock: FixedClock, ticker: Ticker,
                                            messenger: FakeMessenger) -> None:
    clock.set(datetime(2026, 4, 1, 12, tzinfo=UTC))
    await learner(study_bot, "u", "/remind 19:00")
    messenger.retry_after["u"] = 0.01
    report = await ticker.tick(datetime(2026, 4, 1, 19, 0, tzinfo=UTC))
    assert report.sent == 1 and len(messenger.to("u")) == 1


async def test_reminder_off_stops_pushes(study_bot: StudyBot, clock: FixedClock, ticker: Ticker,
                                         messenger: FakeMessenger) -> None:
    clock.set(datetime(2026, 4, 1, 12, tzinfo=UTC))
    chat = await learner(study_bot, "u", "/remind 19:00")
    await chat.send("/remind off")
    assert (await ticker.tick(datetime(2026, 4, 1, 19, 0, tzinfo=UTC))).due == 0
    assert messenger.sent == []


async def test_group_daily_question_and_monday_summary(study_bot: StudyBot, clock: FixedClock,
                                                       ticker: Ticker, messenger: FakeMessenger) -> None:
    clock.set(datetime(2026, 3, 4, 12, tzinfo=UTC))  # a Wednesday
    group = Chatter(study_bot, "admin", chat_id="-7", group=True)
    await study_bot.handle(Command(group.person, group.chat, "groupsettings", ("time", "18:00"),
                                   is_admin=True))
    private = Chatter(study_bot, "admin")
    await private.send("/quiz")
    await private.press("B")
    for day in range(4, 10):  # Wednesday 4 to Monday 9 March
        await ticker.tick(datetime(2026, 3, day, 18, 0, tzinfo=UTC))
        await ticker.tick(datetime(2026, 3, day, 18, 5, tzinfo=UTC))
    texts = messenger.to("-7")
    questions = [t for t in texts if t.startswith("Today's group question")]
    assert len(questions) == 6
    [summary] = [t for t in texts if t.startswith("Last week's final board")]
    assert "1. User admin - 10" in summary
    reveals = await study_bot.close_due_rounds()
    assert reveals == []  # still inside the hour at 18:05
    clock.set(datetime(2026, 3, 9, 19, 1, tzinfo=UTC))
    assert len(await study_bot.close_due_rounds()) == 6  # every day's question revealed once


async def test_quiet_tick_reports_nothing(ticker: Ticker) -> None:
    report = await ticker.tick(datetime(2026, 4, 1, 19, 0, tzinfo=UTC))
    assert (report.due, report.sent, report.skipped, report.failed) == (0, 0, 0, 0)


async def test_streak_at_risk_nudge_once_in_the_evening_only_when_at_risk(
        study_bot: StudyBot, clock: FixedClock, ticker: Ticker, messenger: FakeMessenger) -> None:
    clock.set(local(date(2026, 4, 1), time(8, 0)))
    ny = await learner(study_bot, "ny", "/timezone America/New_York", "/remind 09:00", "/goal 1")
    same = await learner(study_bot, "same", "/timezone America/New_York", "/remind 20:00", "/goal 1")
    quiet = await learner(study_bot, "quiet", "/timezone America/New_York", "/goal 1")  # no reminders
    await learner(study_bot, "fresh", "/timezone America/New_York", "/remind 09:00")  # no streak
    for chat in (ny, same, quiet):  # 1 April: goal met, a 1-day streak each
        await chat.send("/quiz")
        await chat.press("B")

    def nudges(user: str) -> list[str]:
        return [text for text in messenger.to(user) if "streak" in text]

    for at in (time(9, 0), time(19, 59), time(20, 0), time(20, 0, 30), time(22, 0)):
        await ticker.tick(local(date(2026, 4, 2), at))
    [nudge] = nudges("ny")
    assert nudge.startswith("Your 1-day streak is waiting for today: 0/1 so far.")
    assert nudges("quiet") == nudges("fresh") == [] == messenger.to("quiet")
    assert nudges("same") == [] and len(messenger.to("same")) == 1  # its reminder is that evening

    clock.set(local(date(2026, 4, 3), time(10, 0)))  # 3 April: the goal met in the morning
    await ny.send("/quiz")
    await ny.press("B")
    for day in (3, 4, 5):  # 4 April missed: at risk that evening; on the 5th the streak is over
        for at in (time(20, 0), time(21, 0)):
            await ticker.tick(local(date(2026, 4, day), at))
    assert len(nudges("ny")) == 2 and "Your 1-day streak" in nudges("ny")[1]


async def test_yearly_renewal_reminder_after_a_pass(study_bot: StudyBot, clock: FixedClock,
                                                    ticker: Ticker, messenger: FakeMessenger) -> None:
    clock.set(datetime(2026, 5, 3, 12, tzinfo=UTC))
    await learner(study_bot, "alone", "/examresult passed 2026-05-02")
    await learner(study_bot, "daily", "/remind 18:00", "/examresult passed 2026-05-02")
    day = date(2026, 5, 3)
    while day <= date(2029, 5, 3):
        if (day.month, day.day) in {(5, 1), (5, 2), (5, 3)}:
            for at in (time(9, 0), time(18, 0)):
                await ticker.tick(local(day, at, ZoneInfo("UTC")))
        day += timedelta(days=1)
    renewals = messenger.to("alone")
    assert len(renewals) == 3  # 2027, 2028 and 2029, at 09:00 with no daily reminder
    assert "1 year since you earned your CMAS" in renewals[0] and "02 May 2029" in renewals[0]
    assert "3 years since" in renewals[2]
    riding = [t for t in messenger.to("daily") if "since you earned your CMAS" in t]
    assert len(riding) == 3 and all("Time for today's CMAS practice." in t for t in riding)


async def test_renewal_pushes_stop_when_the_pass_is_taken_back(
        study_bot: StudyBot, clock: FixedClock, ticker: Ticker, messenger: FakeMessenger) -> None:
    clock.set(datetime(2026, 5, 3, 12, tzinfo=UTC))
    await learner(study_bot, "x", "/examresult passed 2026-05-02", "/examresult failed 2026-05-02")
    assert (await ticker.tick(datetime(2027, 5, 2, 9, 0, tzinfo=UTC))).due == 0
    assert messenger.sent == []


async def test_no_daily_prompt_once_todays_goal_is_met(study_bot: StudyBot, clock: FixedClock,
                                                      ticker: Ticker, messenger: FakeMessenger) -> None:
    clock.set(datetime(2026, 3, 6, 15, tzinfo=UTC))
    done = await learner(study_bot, "done", "/timezone America/New_York", "/remind 19:00", "/goal 1",
                         "/quiz")
    await done.press("B")
    await learner(study_bot, "todo", "/timezone America/New_York", "/remind 19:00", "/goal 1")
    report = await ticker.tick(local(date(2026, 3, 6), time(19, 0)))
    assert messenger.to("done") == []  # goal met (1/1): nothing to say today
    [prompt] = messenger.to("todo")
    assert "today's goal: 0/1" in prompt
    assert report.skipped == 1
    await ticker.tick(local(date(2026, 3, 7), time(19, 0)))  # a new day: the prompt is back
    assert len(messenger.to("done")) == 1
