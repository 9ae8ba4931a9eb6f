"""The weekly digest: opt-in, Sunday 18:00 in each learner's time zone, exactly once a week whatever
the ticks do; its figures are /stats' and /plan's own; "Drill it" quizzes the weakest topic."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import payloads
from bot.content.bank import load_bank
from bot.core import StudyBot
from bot.digest.figures import readiness_at
from bot.digest.topics import drill_word
from bot.domain.cards import make_scheduler
from bot.domain.domains import parse_scope
from bot.domain.figures import rounded
from bot.domain.models import AnswerRecord, Streak
from bot.domain.questions import Bank
from bot.events import Address
from bot.outgoing import Outgoing
from bot.ports.clock import FixedClock
from bot.ports.storage import Store
from scheduler.tick import Ticker
from tests.chat import Chatter
from tests.conftest import START, make_question
from tests.test_scheduler import learner, local
from tests.test_store_contract import any_store, db_url  # noqa: F401  (memory, SQLite, PostgreSQL)
from tests.ticking import tick_twice_every_half_hour

CHICAGO, TOKYO = ZoneInfo("America/Chicago"), ZoneInfo("Asia/Tokyo")
TOPICS = {1: "medical ethics", 2: "vital signs", 3: "mail handling", 4: "record retention",
          6: "petty cash", 7: "data backup", 8: "staff supervision"}


def topic_of(domain: int, n: int) -> str:
    if domain == 5:
        return "claim forms" if n <= 10 else "diagnosis coding"
    return TOPICS[domain]


@pytest.fixture
def topic_bank() -> Bank:
    """Twenty questions a domain (enough for a readiness forecast), each keyed B; domain 5 has two
    topics, claim forms (1-10) and diagnosis coding (11-20)."""
    return Bank([make_question(d, n, topic=topic_of(d, n)) for d in range(1, 9) for n in range(1, 21)])


@pytest.fixture
def any_bot(any_store: Store, topic_bank: Bank, clock: FixedClock) -> StudyBot:  # noqa: F811
    return StudyBot(any_store, topic_bank, clock, rng=random.Random(7),
                    scheduler=make_scheduler(fuzz=False), shuffle_choices=False)


class Recorder:
    """A messenger that keeps each message whole (its buttons too)."""

    platform = "test"

    def __init__(self) -> None:
        self.sent: list[tuple[str, Outgoing]] = []

    async def send(self, address: Address, message: Outgoing) -> None:
        self.sent.append((address.chat_id, message))

    async def administers(self, group: Address, user_id: str) -> bool:
        return True


async def test_digest_on_off_and_settings(any_bot: StudyBot) -> None:
    chat = await learner(any_bot, "u1", "/timezone America/Chicago")
    [state] = await chat.send("/digest")
    assert state.text.startswith("Weekly digest: off (/digest on)")
    [on] = await chat.send("/digest on")
    assert on.text.startswith("Weekly digest on: Sundays at 18:00 your time (America/Chicago), "
                              "the first on Sunday 08 March.")
    await chat.send("/settings")
    assert "Weekly digest: on (Sundays at 18:00 your time)" in chat.text
    [bad] = await chat.send("/digest weekly")
    assert bad.text == "/digest on: your week in review every Sunday evening; /digest off stops it."
    await chat.send("/settings")
    assert "Weekly digest: on" in chat.text  # the bad input changed nothing
    await chat.send("/digest off")
    assert chat.text == "Weekly digest off. /digest on brings it back."
    await chat.send("/settings")
    assert "Weekly digest: off (/digest on)" in chat.text
    group = Chatter(any_bot, "u1", "grp", group=True)
    await group.send("/digest on")
    assert "is just for you: send it to me in a private chat" in group.text


async def test_once_a_week_at_sunday_evening_local_in_two_zones_and_never_when_off(
        any_bot: StudyBot, clock: FixedClock) -> None:
    await learner(any_bot, "chicago", "/timezone America/Chicago", "/digest on")
    await learner(any_bot, "tokyo", "/timezone Asia/Tokyo", "/digest on")
    await learner(any_bot, "never", "/timezone Asia/Tokyo")
    await learner(any_bot, "stopped", "/digest on", "/digest off")
    recorder = Recorder()
    ticker = Ticker(any_bot, {"test": recorder})
    sent_at = [(chat, instant, message) for instant, (chat, message)
               in await tick_twice_every_half_hour(ticker, recorder.sent, START, 14)]
    sundays = [date(2026, 3, 8), date(2026, 3, 15)]  # US clocks change on the first one
    assert [(chat, at) for chat, at, _ in sent_at if chat == "chicago"] == [
        ("chicago", local(day, time(18), CHICAGO)) for day in sundays]
    assert [(chat, at) for chat, at, _ in sent_at if chat == "tokyo"] == [
        ("tokyo", local(day, time(18), TOKYO)) for day in sundays]
    assert {chat for chat, _, _ in sent_at} == {"chicago", "tokyo"}
    # Nothing answered: the short nudge, with a button to start.
    _, _, nudge = sent_at[0]
    assert nudge.text == ("Your week in review: no questions this week. Ten minutes tonight gets "
                          "you going again. (/digest off stops these.)")
    assert [c.label for c in nudge.choices] == ["Start a session"]


async def test_a_new_time_zone_moves_the_next_digest_and_a_sunday_gets_one(
        any_bot: StudyBot, clock: FixedClock) -> None:
    """Tokyo's digest goes out on Sunday; moving to Chicago the same day does not bring a second one
    that Sunday evening, and the next comes at 18:00 Chicago time, not at Tokyo's."""
    mover = await learner(any_bot, "mover", "/timezone Asia/Tokyo", "/digest on")
    recorder = Recorder()
    ticker = Ticker(any_bot, {"test": recorder})
    first = await tick_twice_every_half_hour(ticker, recorder.sent, START, 6)
    clock.set(START + timedelta(days=6))
    await mover.send("/timezone America/Chicago")
    later = await tick_twice_every_half_hour(ticker, recorder.sent, START + timedelta(days=6), 8)
    assert [at for at, _ in first + later] == [local(date(2026, 3, 8), time(18), TOKYO),
                                               local(date(2026, 3, 15), time(18), CHICAGO)]


async def test_a_digest_missed_while_down_comes_late_that_evening_or_not_at_all(
        any_bot: StudyBot) -> None:
    await learner(any_bot, "chicago", "/timezone America/Chicago", "/digest on")
    recorder = Recorder()
    ticker = Ticker(any_bot, {"test": recorder})
    await ticker.tick(local(date(2026, 3, 8), time(21), CHICAGO))  # down from 18:00 to 21:00
    await ticker.tick(local(date(2026, 3, 8), time(21, 30), CHICAGO))
    assert len(recorder.sent) == 1
    await ticker.tick(local(date(2026, 3, 16), time(9), CHICAGO))  # down all of the next Sunday
    await ticker.tick(local(date(2026, 3, 22), time(18), CHICAGO))
    assert len(recorder.sent) == 2


async def seed_weeks(store: Store, user: str) -> None:
    """Feb 10: 15 first answers in every domain, 10 right (claim forms 3 of 10 right, diagnosis
    coding 5 of 5); last week (Feb 25): medical ethics 1-10 again, 5 right; this week (Mar 4):
    diagnosis coding 16-20 right, claim forms 1 right and 2, 3 wrong."""
    async with store.transaction() as tx:
        found = await tx.learners.find_learner("test", user)
        assert found is not None
        def record(qid: str, correct: bool, at: datetime) -> AnswerRecord:
            return AnswerRecord(qid, int(qid[1]), correct, False, at)
        early, last_week = datetime(2026, 2, 10, 15, tzinfo=UTC), datetime(2026, 2, 25, 15, tzinfo=UTC)
        this_week = datetime(2026, 3, 4, 15, tzinfo=UTC)
        for d in range(1, 9):
            for n in range(1, 16):
                correct = (n <= 3 or n > 10) if d == 5 else n % 3 != 0
                await tx.answers.record_answer(found.id, record(f"d{d}-{n:04d}", correct, early))
        for n in range(1, 11):
            await tx.answers.record_answer(found.id, record(f"d1-{n:04d}", n <= 5, last_week))
        for n in range(16, 21):
            await tx.answers.record_answer(found.id, record(f"d5-{n:04d}", True, this_week))
        for n, correct in ((1, True), (2, False), (3, False)):
            await tx.answers.record_answer(found.id, record(f"d5-{n:04d}", correct, this_week))
        await tx.learners.update_learner(found, streak=Streak(4, date(2026, 3, 8)))


async def test_the_digest_figures_are_the_stats_figures_and_drill_it_quizzes_the_weakest_topic(
        any_bot: StudyBot, clock: FixedClock) -> None:
    chat = await learner(any_bot, "u1", "/timezone America/Chicago", "/digest on")
    await seed_weeks(any_bot.store, "u1")
    sunday = local(date(2026, 3, 8), time(18), CHICAGO)
    recorder = Recorder()
    await Ticker(any_bot, {"test": recorder}).tick(sunday)
    [(to, digest)] = recorder.sent
    assert to == "u1"

    clock.set(sunday)  # /stats now shows the same readiness
    await chat.send("/stats")
    shown = re.search(r"about (\d+)%\), pass chance (\d+)%", chat.text)
    assert shown is not None
    async with any_bot.store.transaction() as tx:
        found = await tx.learners.find_learner("test", "u1")
        assert found is not None
        attempts = await tx.answers.first_attempts(found.id)
    before = readiness_at(attempts, sunday - timedelta(days=7))
    assert before is not None
    mean, chance = int(shown.group(1)), int(shown.group(2))
    assert digest.text.splitlines() == [
        "Your week in review (since Monday 02 March)",
        "Answered: 8 (last week 10)",  # Mar 4 only: Feb 25 was last week, Feb 10 before it
        "Accuracy: 75% (last week 50%, +25 points)",  # 6 of 8; 5 of 10
        "Streak: 4 days",
        f"Readiness: about {mean}% ({mean - rounded(before.mean_pct):+d} points on a week ago), "
        f"pass chance {chance}% ({chance - rounded(100 * before.pass_chance):+d}).",
        # claim forms: 3 of 10, then 1 of 3 = 4 of 13 (31%); medical ethics 15 of 25 is weak too
        # but less so; diagnosis coding 10 of 10 is not weak.
        "Weakest topic: claim forms (D5 Insurance & coding): 31% of 13 answers",
        "(/digest off stops these.)",
    ]
    [drill] = digest.choices
    assert drill.label == "Drill it: claim forms"
    assert payloads.decode(drill.payload) == payloads.Next(daily=False, topic="claim forms")
    stems = {q.stem: q for q in any_bot.bank.askable}
    for _ in range(4):
        [question] = await chat.press_payload(drill.payload)
        asked = next(q for stem, q in stems.items() if stem in question.text)
        assert asked.topic == "claim forms"


async def test_a_week_ago_without_enough_evidence_and_no_weak_topic(any_bot: StudyBot) -> None:
    await learner(any_bot, "u1", "/digest on")
    async with any_bot.store.transaction() as tx:
        found = await tx.learners.find_learner("test", "u1")
        assert found is not None
        for n in (1, 2, 3, 4, 5):
            await tx.answers.record_answer(found.id, AnswerRecord(f"d2-{n:04d}", 2, True, False,
                                                                  START + timedelta(days=1)))
    recorder = Recorder()
    await Ticker(any_bot, {"test": recorder}).tick(local(date(2026, 3, 8), time(18), ZoneInfo("UTC")))
    [(_, digest)] = recorder.sent
    assert digest.text.splitlines()[1:5] == [
        "Answered: 5 (last week 0)",
        "Accuracy: 100% (no answers last week)",
        "Streak: 0 days",
        "Readiness: shows once every domain has 15 first answers (/stats says which still need some).",
    ]
    assert "Weakest topic: none below the pass mark" in digest.text and digest.choices == ()


def test_every_topic_of_the_real_bank_has_a_drill_word_that_quizzes_it() -> None:
    bank = load_bank(Path(__file__).parent.parent / "content" / "questions")
    loose = []
    for topic in bank.topics:
        word = drill_word(topic, bank.topics)
        assert word is not None, topic
        scope = parse_scope(word, bank.topics)
        assert topic in scope.topics, (topic, word)
        if scope.topics != {topic}:
            loose.append(topic)
    # Its name begins another topic's ("patient education materials"): no word names it alone.
    assert loose == ["patient education"]
