"""A newcomer's first week: input as people type it, mocks that hold, a day that is respected, and
group chats that get only group things."""

from __future__ import annotations

import random
from datetime import timedelta

from bot.core import APOLOGY, StudyBot
from bot.domain.cards import make_scheduler
from bot.domain.questions import Bank
from bot.events import Command
from bot.ports.clock import FixedClock
from bot.storage.store import Store
from tests.chat import Chatter
from tests.conftest import make_question


async def test_time_zones_times_and_dates_as_people_type_them(chat: Chatter) -> None:
    await chat.send("/timezone New York")
    assert "Time zone set to America/New_York" in chat.text
    await chat.send("/timezone EST")
    assert "fixed offset that ignores daylight saving" in chat.text
    await chat.press("America/New_York")
    assert "Time zone set to America/New_York" in chat.text
    await chat.send("/timezone Portland")
    assert "Which Portland?" in chat.text
    await chat.press("Portland (US-OR) · America/Los_Angeles")
    assert "Time zone set to America/Los_Angeles" in chat.text
    await chat.send("/remind 7:30 pm")
    assert "Daily study prompt set for 19:30" in chat.text
    await chat.send("/remind 7")
    assert "7 in the morning or in the evening?" in chat.text
    await chat.press("19:00")
    assert "Daily study prompt set for 19:00" in chat.text
    await chat.send("/examdate Feb 15 2027")
    assert "(Monday 15 February 2027)" in chat.text
    await chat.send("/examdate 3/4/2027")
    assert "March 4 or April 3?" in chat.text
    await chat.press("Sat Apr 3, 2027")
    assert "(Saturday 03 April 2027)" in chat.text
    await chat.send("/settings")
    assert "America/Los_Angeles" in chat.text and "19:00" in chat.text


async def test_topic_words_select_topics(store: Store, clock: FixedClock) -> None:
    bank = Bank([make_question(d, n) for d in range(1, 9) for n in range(1, 4)]
                + [make_question(1, 10, topic="hipaa privacy rule"),
                   make_question(7, 10, topic="hipaa security safeguards")])
    bot = StudyBot(store, bank, clock, rng=random.Random(2), scheduler=make_scheduler(fuzz=False),
                   shuffle_choices=False)
    chat = Chatter(bot)
    asked = set()
    for _ in range(2):
        await chat.send("/quiz hipaa")
        asked.add(chat.text.split("\n")[2])
        await chat.press("B")
        assert "Next" in [c.label for c in chat.last[0].choices]
    assert asked == {"Question 10 of domain 1: which choice is keyed?",
                     "Question 10 of domain 7: which choice is keyed?"}
    await chat.send("/quiz astrology")
    assert "is not a domain or a topic I know" in chat.text and "Domains: 1 foundations" in chat.text


async def test_odd_numbers_and_long_text_get_one_clear_line(chat: Chatter) -> None:
    group = Chatter(chat.bot, user="g1", chat_id="-5", group=True)
    for sender, text, expected in (
            (chat, "/quiz \u00b2", "is not a domain or a topic I know"),
            (chat, "/goal \uff11\uff15", "Daily goal set to 15 questions."),
            (chat, "/goal " + "9" * 5000, "Pick a goal between 1 and 50"),
            (group, "/round \u00b2", "A round is 1-20 questions")):
        await sender.send(text)
        assert expected in sender.text and APOLOGY not in sender.text, text
    [reply] = await chat.bot.handle(Command(group.person, group.chat, "groupsettings", ("round", "\u00b2"),
                                            is_admin=True))
    assert "Round length is 10-300 seconds" in reply.text
    await chat.send("/timezone " + "x" * 5000)
    assert len(chat.text) < 250 and "…" in chat.text


async def test_mocks_count_only_the_owner_in_its_chat_and_show_the_question_after_a_restart(
        chat: Chatter, store: Store, bank: Bank, clock: FixedClock) -> None:
    await chat.send("/mock sprint")
    press = chat.payload("B")
    other_chat = Chatter(chat.bot, user="u1", chat_id="elsewhere")
    await other_chat.press_payload(press)
    assert "This mock runs in another chat" in other_chat.text
    await chat.press("B")
    assert "2/" in chat.text
    clock.set(clock.now() + timedelta(seconds=1))  # the new process starts after the question showed
    restarted = StudyBot(store, bank, clock, rng=random.Random(3), scheduler=make_scheduler(fuzz=False),
                         shuffle_choices=False)
    after = Chatter(restarted)
    await after.send("B")
    assert "This is the question you are on" in after.text and "2/" in after.text
    await after.send("B")
    assert "3/" in after.text  # now the letter counts
    await after.send("/mock stop")
    assert "Mock stopped after 2 of" in after.text and "Kept: your 2 answers count in /stats" in after.text


async def test_the_day_is_respected(chat: Chatter) -> None:
    await chat.send("/goal 2")
    await chat.send("/daily")
    assert chat.text.startswith("Daily 1/2")
    await chat.press("B")
    assert "Daily goal met" not in chat.text
    await chat.press("Next")
    assert chat.text.startswith("Daily 2/2")
    await chat.press("B")
    assert "Daily goal met: 2/2. Streak: 1 day." in chat.text
    await chat.send("/daily")
    assert "Daily goal done: 2/2 today" in chat.text
    assert "Keep going" in [c.label for c in chat.last[0].choices]


async def test_group_chats_get_only_group_things(chat: Chatter) -> None:
    group = Chatter(chat.bot, user="g1", chat_id="-7", group=True)
    for command in ("/daily", "/stats", "/mock sprint", "/goal 5", "/remind 7pm"):
        [reply] = await group.send(command)
        assert "is just for you: send it to me in a private chat" in reply.text, command
        assert reply.open_private and not reply.choices


async def test_help_where_people_stall(chat: Chatter) -> None:
    await chat.send("hello")
    assert "Send /quiz for a question" in chat.text
    await chat.send("/quiz")
    await chat.send("I think it is the second one")
    assert "To answer, send A, B, C or D" in chat.text
    await chat.send("b")
    assert "Correct!" in chat.text


def test_a_review_backlog_gets_a_way_out() -> None:
    from bot.stats.handlers import _backlog_warning

    assert _backlog_warning(30, 10) == []
    [line] = _backlog_warning(31, 10)
    assert "more than 3 days of your goal" in line and "/goal 11" in line
