"""Group chats: one answer per member, the reveal when time is up, points, leaderboards, admins."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core import StudyBot
from bot.domain.schedule import week_start
from bot.events import Command
from bot.ports.clock import FixedClock
from tests.chat import Chatter


def group_chat(bot: StudyBot, user: str = "a", chat_id: str = "-100") -> Chatter:
    return Chatter(bot, user, chat_id=chat_id, group=True)


async def test_quiz_in_a_group_starts_a_round_answered_once_per_member(study_bot: StudyBot,
                                                                          clock: FixedClock) -> None:
    alice = group_chat(study_bot, "a")
    await alice.send("/quiz")
    assert "Round · question 1/5 · everyone answers once · 30 s · 0 answered" in alice.text
    payload, wrong = alice.payload("B"), alice.payload("C")
    ack, shared = await alice.press_payload(payload)
    assert ack.private and ack.text == "Correct, +20 (speed +10)"
    assert "1 answered" in shared.text and shared.replace
    again = await alice.press_payload(payload)
    assert again[0].private and "already answered" in again[0].text
    bob = alice.as_user("b")
    ack, shared = await bob.press_payload(wrong)
    assert ack.text == "Not quite" and "2 answered" in shared.text
    assert "still open" in (await bob.send("/quiz"))[0].text

    assert await study_bot.close_due_rounds() == []  # not yet
    clock.set(clock.now() + timedelta(seconds=30))
    late = await alice.as_user("c").press_payload(payload)
    assert "Time is up" in late[0].text
    posts = await study_bot.close_due_rounds()
    assert {address.chat_id for address, _ in posts} == {"-100"}
    reveal, top, following = (post for _, post in posts)
    assert "Answer: B." in reveal.text and "Right (1 of 2): User a" in reveal.text
    assert top.text.splitlines() == ["Top 5 after question 1/5:", "1. User a - 20", "2. User b - 1"]
    assert "Round · question 2/5" in following.text and [c.label for c in following.choices] == list("ABCD")
    assert await study_bot.close_due_rounds() == []  # revealed once
    assert "closed" in (await bob.press_payload(payload))[0].text


async def test_concurrent_answers_are_neither_lost_nor_doubled(study_bot: StudyBot) -> None:
    host = group_chat(study_bot, "host")
    await host.send("/quiz")
    payload = host.payload("B")
    members = [host.as_user(f"m{i}") for i in range(8)]
    replies = await asyncio.gather(*(m.press_payload(payload) for m in members),
                                   *(m.press_payload(payload) for m in members))
    acks = [r[0].text for r in replies]
    assert acks.count("Correct, +20 (speed +10)") == 8
    assert acks.count("You have already answered this one.") == 8


async def test_leaderboard_week_and_all_with_own_rank(study_bot: StudyBot, clock: FixedClock) -> None:
    # Twelve members; "u00" studies most. Points come from private study too.
    for i in range(12):
        private = Chatter(study_bot, f"u{i:02d}")
        for _ in range(12 - i):
            await private.send("/quiz")
            await private.press("B")
        await group_chat(study_bot, f"u{i:02d}").send("/leaderboard")  # joins the group
    clock.set(clock.now() + timedelta(days=7))  # next week: a fresh weekly board
    late = Chatter(study_bot, "u11")
    await late.send("/quiz")
    await late.press("B")

    last = group_chat(study_bot, "u11")
    await last.send("/leaderboard all")
    lines = last.text.splitlines()
    assert lines[0] == "All-time leaderboard" and lines[1] == "1. User u00 - 120"
    assert lines[-1] == "11. User u11 - 20 (you)" and "..." in lines
    await last.send("/leaderboard")
    assert last.text.splitlines()[1] == "1. User u11 - 10"
    await last.send("/leaderboard month")
    assert "Example: /leaderboard all" in last.text


async def test_ties_share_a_rank_and_sort_by_name(study_bot: StudyBot) -> None:
    for user in ("zed", "amy", "bob"):
        private = Chatter(study_bot, user)
        await private.send("/quiz")
        await private.press("B" if user != "bob" else "A")
        await group_chat(study_bot, user).send("/leaderboard")
    board = group_chat(study_bot, "amy")
    await board.send("/leaderboard all")
    assert board.text.splitlines()[1:] == ["1. User amy - 10", "1. User zed - 10", "3. User bob - 1"]


async def test_forgotten_members_leave_the_board(study_bot: StudyBot) -> None:
    for user in ("amy", "bob"):
        private = Chatter(study_bot, user)
        await private.send("/quiz")
        await private.press("B")
        await group_chat(study_bot, user).send("/leaderboard")
    bob = Chatter(study_bot, "bob")
    await bob.send("/forgetme")
    await bob.press("Yes, delete everything")
    board = group_chat(study_bot, "amy")
    await board.send("/leaderboard all")
    assert "bob" not in board.text and "User amy - 10" in board.text


async def test_points_rules(chat: Chatter, clock: FixedClock) -> None:
    await chat.send("/quiz 1")
    await chat.press("B")  # first time right: 10
    await chat.send("/quiz 1")
    await chat.press("A")  # wrong: 1
    clock.set(clock.now() + timedelta(days=30))
    await chat.send("/quiz 1")
    assert "review" in chat.text
    await chat.press("B")  # review right: 5
    group = group_chat(chat.bot, "u1")
    await group.send("/leaderboard all")
    assert "1. User u1 - 16" in group.text


async def test_groupsettings_admins_only(study_bot: StudyBot) -> None:
    group = group_chat(study_bot, "a")
    for args in (("round", "45"), ("timezone", "Asia/Tokyo"), ("time", "18:00")):
        refused = await study_bot.handle(Command(group.person, group.chat, "groupsettings", args))
        assert "Only the group's admins" in refused[0].text
    shown = (await group.send("/groupsettings"))[0].text
    assert "Round length: 30 s" in shown and "UTC (default)" in shown and "question: off" in shown
    admin = Command(group.person, group.chat, "groupsettings", ("round", "45"), is_admin=True)
    assert "Round length: 45 s" in (await study_bot.handle(admin))[0].text
    for args, message in ((("round", "5"), "10-300 seconds"),
                          (("time", "25:00"), "/groupsettings time 18:00"),
                          (("timezone", "Mars/Base"), "time zone"), (("colour", "red"), "Change with")):
        reply = await study_bot.handle(Command(group.person, group.chat, "groupsettings", args,
                                               is_admin=True))
        assert message in reply[0].text
    await study_bot.handle(Command(group.person, group.chat, "groupsettings",
                                   ("timezone", "America/Chicago"), is_admin=True))
    shown = (await group.send("/groupsettings"))[0].text
    assert "Round length: 45 s" in shown and "America/Chicago" in shown
    await group.send("/quiz")
    assert "45 s" in group.text
    private = Chatter(study_bot, "a")
    assert "group chat" in (await private.send("/groupsettings"))[0].text
    assert "add me to your study group" in (await private.send("/leaderboard"))[0].text


async def test_weekly_board_resets_at_monday_midnight_in_each_groups_zone(study_bot: StudyBot,
                                                                           clock: FixedClock) -> None:
    tokyo, la = (group_chat(study_bot, "m", chat_id) for chat_id in ("-tokyo", "-la"))
    for group, zone in ((tokyo, "Asia/Tokyo"), (la, "America/Los_Angeles")):
        await study_bot.handle(Command(group.person, group.chat, "groupsettings", ("timezone", zone),
                                       is_admin=True))

    async def answer_at(user: str, instant: datetime) -> None:
        clock.set(instant)
        private = Chatter(study_bot, user)
        await private.send("/quiz")
        await private.press("B")

    async def board(group: Chatter, period: str = "week") -> list[str]:
        return (await group.send(f"/leaderboard {period}"))[0].text.splitlines()[1:]

    await answer_at("m", datetime(2026, 3, 8, 14, 30, tzinfo=UTC))  # Sunday 23:30 in Tokyo, 07:30 in LA
    await answer_at("m", datetime(2026, 3, 8, 15, 30, tzinfo=UTC))  # Monday 00:30 in Tokyo
    assert await board(tokyo) == ["1. User m - 10"]
    assert await board(la) == ["1. User m - 20"]
    assert await board(tokyo, "all") == await board(la, "all") == ["1. User m - 20"]
    clock.set(datetime(2026, 3, 9, 7, 30, tzinfo=UTC))  # Monday 00:30 in LA (PDT since Sunday)
    assert "no points yet" in (await la.send("/leaderboard"))[0].text
    assert await board(tokyo) == ["1. User m - 10"]

    await answer_at("n", datetime(2026, 3, 9, 7, 40, tzinfo=UTC))  # before joining the Tokyo group...
    assert await board(group_chat(study_bot, "n", "-tokyo")) == ["1. User m - 10", "1. User n - 10"]
    await study_bot.handle(Command(tokyo.person, tokyo.chat, "groupsettings",
                                   ("timezone", "America/Los_Angeles"), is_admin=True))
    assert await board(tokyo) == ["1. User n - 10", "2. User m - 0"]  # recounted from Monday in LA


def test_week_starts_monday_midnight_in_the_group_zone() -> None:
    # Sunday 2026-03-08 23:30 in Los Angeles (PDT since that morning) is Monday 06:30 UTC.
    now = datetime(2026, 3, 9, 6, 30, tzinfo=UTC)
    assert week_start(now, ZoneInfo("America/Los_Angeles")) == datetime(
        2026, 3, 2, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert week_start(now, ZoneInfo("Asia/Tokyo")) == datetime(2026, 3, 9, tzinfo=ZoneInfo("Asia/Tokyo"))
