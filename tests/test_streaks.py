"""Streaks: a day counts once the goal is met, in the learner's own zone; a freeze earned every 7
streak days (at most 2) covers a missed day; more missed days than freezes start the streak again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain.models import Streak
from bot.domain.streaks import as_of, at_risk, goal_met
from bot.ports.clock import FixedClock
from tests.chat import Chatter

MONDAY = date(2026, 3, 2)


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


def met_on(*days: date) -> Streak:
    streak = Streak()
    for d in days:
        streak = goal_met(streak, d)
    return streak


def test_consecutive_days_count_once_each() -> None:
    assert met_on(day(0), day(0), day(1), day(2)) == Streak(3, day(2), 0)


def test_a_missed_day_without_a_freeze_starts_the_streak_again() -> None:
    streak = met_on(day(0), day(1))
    assert as_of(streak, day(2)).days == 2  # today is still open
    assert as_of(streak, day(3)) == Streak(0, None, 0)
    assert goal_met(streak, day(3)) == Streak(1, day(3), 0)


def test_a_freeze_earned_after_seven_days_covers_a_missed_day() -> None:
    streak = met_on(*(day(i) for i in range(7)))
    assert streak == Streak(7, day(6), 1)
    assert as_of(streak, day(8)) == Streak(7, day(7), 0)  # day 7 missed and covered
    assert goal_met(streak, day(8)) == Streak(8, day(8), 0)


def test_at_most_two_freezes_and_more_missed_days_than_freezes_end_the_streak() -> None:
    streak = met_on(*(day(i) for i in range(21)))
    assert (streak.days, streak.freezes) == (21, 2)  # a third freeze would exceed the cap
    assert as_of(streak, day(22)) == Streak(21, day(21), 1)
    assert as_of(streak, day(23)) == Streak(21, day(22), 0)
    assert as_of(streak, day(24)) == Streak(0, None, 2)  # over; the freezes are kept


def test_at_risk_only_while_a_streak_runs_and_today_is_open() -> None:
    streak = met_on(day(0))
    assert at_risk(streak, day(1)) and not at_risk(streak, day(0)) and not at_risk(streak, day(2))
    assert not at_risk(Streak(), day(0))


async def answer_one(chat: Chatter) -> None:
    await chat.send("/quiz")
    await chat.press("B")


async def test_stats_show_a_freeze_covering_a_missed_day(chat: Chatter, clock: FixedClock) -> None:
    await chat.send("/goal 1")
    for _ in range(7):
        await answer_one(chat)
        clock.set(clock.now() + timedelta(days=1))
    await chat.send("/stats")
    assert "Streak: 7 days" in chat.text and "freezes held: 1 of 2" in chat.text
    clock.set(clock.now() + timedelta(days=1))  # a day missed
    await chat.send("/stats")
    assert "Streak: 7 days" in chat.text and "freezes held: 0 of 2" in chat.text
    await answer_one(chat)
    await chat.send("/stats")
    assert "Streak: 8 days" in chat.text


async def test_without_a_freeze_a_missed_day_ends_the_streak(chat: Chatter, clock: FixedClock) -> None:
    await chat.send("/goal 1")
    for _ in range(2):
        await answer_one(chat)
        clock.set(clock.now() + timedelta(days=1))
    clock.set(clock.now() + timedelta(days=1))
    await chat.send("/stats")
    assert "Streak: 0 days" in chat.text
    await answer_one(chat)
    await chat.send("/stats")
    assert "Streak: 1 day " in chat.text


async def test_days_are_the_learners_own(chat: Chatter, clock: FixedClock) -> None:
    await chat.send("/timezone Asia/Tokyo")
    await chat.send("/goal 1")
    clock.set(datetime(2026, 3, 8, 14, 30, tzinfo=UTC))  # Sunday 23:30 in Tokyo
    await answer_one(chat)
    clock.set(datetime(2026, 3, 8, 15, 30, tzinfo=UTC))  # Monday 00:30 there, the same UTC day
    await answer_one(chat)
    await chat.send("/stats")
    assert "Streak: 2 days" in chat.text


async def test_lowering_the_goal_can_complete_today(chat: Chatter) -> None:
    await answer_one(chat)
    await chat.send("/goal 1")
    await chat.send("/stats")
    assert "Streak: 1 day " in chat.text
