"""Scheduled pushes, decided and claimed in the database so each is sent at most once.

A learner row carries `next_push_at` (indexed). A tick reads the rows that are due, and for each one
moves `next_push_at` forward with a compare-and-set and records the push under a unique
(kind, chat, local date) key, in the same transaction. Whoever wins the compare-and-set owns the
push; a second tick or instance finds nothing to do. The push is sent after that transaction
commits: a crash between commit and send loses that one push instead of ever sending it twice
(at most once; see the README).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot import payloads
from bot.account.handlers import countdown
from bot.digest.push import digest_message
from bot.digest.schedule import next_digest_at, weekly_at
from bot.domain.exam import CCP_PER_CYCLE, CCP_PER_YEAR, CYCLE_YEARS
from bot.domain.models import Group, Learner, PushKey, PushKind, PushOutcome, ReportSubscription
from bot.domain.questions import Bank, new_order, presented
from bot.domain.schedule import (
    STALE_AFTER,
    anniversary,
    group_schedule,
    is_stale,
    learner_schedule,
    local_instant,
    milestone,
    push_kind,
    week_start,
    years_certified,
)
from bot.domain.selection import LearnerView, pick_next
from bot.domain.streaks import as_of, at_risk
from bot.drawings import draw_all
from bot.events import Address
from bot.groupreport.figures import REPORT_AT, REPORT_DAY
from bot.groupreport.message import WEEKLY_FOOTER, report_message
from bot.outgoing import Choice, Outgoing
from bot.ports.storage import Store, UnitOfWork
from bot.practice.texts import answer_buttons, question_text

BATCH = 500
# Building a batch's messages is Python work on the event loop (and on SQLite, with the in-loop driver,
# so are the statements): the claim writes and builds YIELD_EVERY learners at a time and lets the
# loop run in between, so a tick never holds it long (benchmarks/day_of_pushes.py).
YIELD_EVERY = 50
Item = TypeVar("Item")
GROUP_QUESTION_WINDOW = timedelta(hours=1)  # a scheduled group question stays open this long

_TIPS = {
    60: "Plenty of time: work through every domain; /plan lays out your weeks.",
    30: "A month to go: keep up the daily reviews and try a timed /mock sprint.",
    14: "Two weeks: take a full timed practice exam (/mock full) this week.",
    7: "One week: focus on your weakest domains (see /stats).",
    3: "Three days: light review only; no cramming.",
    1: "Tomorrow is the day: a short review, then rest. Bring two matching IDs, one with a photo.",
    0: "Good luck today! Read each question fully; you know more than you think.",
}


@dataclass(frozen=True, slots=True)
class Push:
    id: int
    kind: PushKind
    address: Address
    message: Outgoing
    recipient: tuple[str, str] | None  # (platform, user_id): the account a learner's pushes go to
    # A group report: the group its reader must still administer when it goes (Messenger.administers).
    admin_of: Address | None = None


@dataclass(slots=True)
class Claimed:
    pushes: list[Push]
    skipped: int = 0  # due but dropped: stale (the bot was down too long) or no private chat


def _learner_message(learner: Learner, zone: ZoneInfo, now: datetime, due: int,
                     done: int) -> Outgoing | None:
    """The daily prompt with the countdown and milestone lines; None when there is nothing to say
    (today's goal is met and no milestone falls today): the day is respected."""
    today = now.astimezone(zone).date()
    left = milestone(learner.exam_date, today)
    start = Choice("Start today's session", payloads.encode(payloads.Next(daily=True)))
    lines: list[str] = []
    goal_met = done >= learner.daily_goal
    years = years_certified(learner.certified_on, today)
    if goal_met and not (left in _TIPS or left == -1 or years):
        return None
    if learner.remind_at is not None and not goal_met:
        lines += ["Time for today's CMAS practice.",
                  f"Reviews due: {due} · today's goal: {done}/{learner.daily_goal}"]
    if learner.exam_date is not None and learner.exam_date >= today:
        lines.append(countdown(learner.exam_date, today))
    if left is not None and left in _TIPS:
        lines.append(_TIPS[left])
    if years:
        assert learner.certified_on is not None
        lines.append(_renewal_line(learner.certified_on, years))
    if left == -1:
        lines.append("Your CMAS exam was yesterday. How did it go?")
        return Outgoing("\n".join(lines), (
            Choice("Passed", payloads.encode(payloads.ExamResult(True))),
            Choice("Not passed", payloads.encode(payloads.ExamResult(False))),
            *((start,) if learner.remind_at and not goal_met else ()),
        ))
    return Outgoing("\n".join(lines), () if goal_met else (start,))


def _renewal_line(certified_on: date, years: int) -> str:
    """AMT's cycle is three years from certification; say which year of it this is."""
    cycle = (years - 1) // CYCLE_YEARS + 1
    cycle_ends = anniversary(certified_on, certified_on.year + CYCLE_YEARS * cycle)
    return (f"{years} year{'s' if years != 1 else ''} since you earned your CMAS. Renewal: AMT asks "
            f"for {CCP_PER_YEAR} CCP points a year ({CCP_PER_CYCLE} per {CYCLE_YEARS}-year cycle) and the "
            f"annual fee; this cycle ends {cycle_ends:%d %B %Y}.")


def _streak_message(learner: Learner, zone: ZoneInfo, now: datetime, done: int) -> Outgoing:
    """The evening nudge: gentle, once, and only while there is still time today."""
    streak = as_of(learner.streak, now.astimezone(zone).date())
    lines = [f"Your {streak.days}-day streak is waiting for today: {done}/{learner.daily_goal} so far.",
             "A few questions before midnight keep it going."]
    if streak.freezes:
        lines.append(f"If today slips, one of your {streak.freezes} freezes covers it.")
    return Outgoing("\n".join(lines), (Choice("Start today's session",
                                             payloads.encode(payloads.Next(daily=True))),))


async def _day_counts(tx: UnitOfWork, learners: list[tuple[Learner, ZoneInfo]],
                      now: datetime) -> tuple[dict[int, int], dict[int, int]]:
    """Reviews due by tonight and answers so far today, per learner: two queries per time zone
    rather than two per learner."""
    due: dict[int, int] = {}
    done: dict[int, int] = {}
    by_zone: dict[str, list[int]] = {}
    zones: dict[str, ZoneInfo] = {}
    for learner, zone in learners:
        by_zone.setdefault(zone.key, []).append(learner.id)
        zones[zone.key] = zone
    for key, ids in by_zone.items():
        today = now.astimezone(zones[key]).date()
        due |= await tx.answers.due_counts(ids, local_instant(today + timedelta(days=1), time(0), zones[key]))
        done |= await tx.answers.answer_counts(ids, local_instant(today, time(0), zones[key]))
    return due, done


def _catch_up(due: datetime, now: datetime, zone: ZoneInfo,
              schedule: Callable[[datetime], datetime | None]) -> datetime | None:
    """The push instant to honour now: `due` itself if still fresh, else the latest scheduled
    instant that is (a learner back after days away still gets today's prompt), else None."""
    if not is_stale(due, now, zone):
        return due
    recent = schedule(now - STALE_AFTER)
    return recent if recent is not None and recent <= now and not is_stale(recent, now, zone) else None


async def _claim_learners(tx: UnitOfWork, default_timezone: str, now: datetime,
                          platforms: Collection[str], claimed: Claimed) -> None:
    locked = await tx.pushes.lock_due_learners(now, platforms, BATCH)
    for chunk in _chunks(locked):
        await asyncio.sleep(0)
        await tx.pushes.set_next_pushes({learner.id: learner_schedule(learner, default_timezone, now)
                                         for learner, _ in chunk})
    keys: list[tuple[PushKey, Learner, ZoneInfo]] = []
    for n, (learner, due) in enumerate(locked):
        if n % YIELD_EVERY == 0:
            await asyncio.sleep(0)
        zone = ZoneInfo(learner.timezone or default_timezone)
        fresh = _catch_up(due, now, zone, partial(learner_schedule, learner, default_timezone))
        if learner.private_chat_id is None or fresh is None:
            claimed.skipped += 1
            continue
        kind = push_kind(learner, fresh, zone)
        if kind is PushKind.STREAK_RISK and not at_risk(learner.streak, fresh.astimezone(zone).date()):
            continue  # today's goal was met after the check was scheduled: nothing to say
        keys.append((PushKey(kind, learner.platform, learner.private_chat_id, learner.id,
                             fresh.astimezone(zone).date()), learner, zone))
    recorded: dict[PushKey, int] = {}
    for pending in _chunks([key for key, _, _ in keys]):
        await asyncio.sleep(0)
        recorded |= await tx.pushes.record_pushes(pending, now)
    due_by, done_by = await _day_counts(tx, [(lr, z) for k, lr, z in keys if k in recorded], now)
    for n, (key, learner, zone) in enumerate(keys):
        if n % YIELD_EVERY == 0:
            await asyncio.sleep(0)
        if key in recorded:  # else already pushed for that day (e.g. the reminder time moved)
            done = done_by.get(learner.id, 0)
            message = (_streak_message(learner, zone, now, done) if key.kind is PushKind.STREAK_RISK
                       else _learner_message(learner, zone, now, due_by.get(learner.id, 0), done))
            if message is None:
                claimed.skipped += 1
                await tx.pushes.push_outcome(recorded[key], PushOutcome.SKIPPED)
                continue
            claimed.pushes.append(Push(recorded[key], key.kind, Address(key.platform, key.chat_id),
                                       message, (learner.platform, learner.user_id)))


def _chunks(items: Sequence[Item]) -> list[Sequence[Item]]:
    """Slices of YIELD_EVERY: a statement over a whole batch would hold the loop (in-loop SQLite)."""
    return [items[i:i + YIELD_EVERY] for i in range(0, len(items), YIELD_EVERY)]


async def _weekly_summary(tx: UnitOfWork, group: Group, zone: ZoneInfo, now: datetime) -> Outgoing:
    last_week = (week_start(now, zone) - timedelta(days=7)).date()
    board = await tx.points.leaderboard(group.platform, group.chat_id, last_week)
    ranked = [f"{s.rank}. {s.name} - {s.points}" for s in board if s.points]
    text = "Last week's final board:\n" + "\n".join(ranked) if ranked else "Nobody scored last week."
    return Outgoing(text + "\nA new week starts now: /quiz to score.")


async def _group_question(tx: UnitOfWork, bank: Bank, group: Group, now: datetime,
                          rng: random.Random, shuffle: bool) -> Outgoing | None:
    empty = LearnerView(due=(), seen=frozenset(), answered_today=frozenset(), last_question=None)
    pick = pick_next(bank, empty, rng)
    if pick is None:
        return None
    order = new_order(pick.question, rng if shuffle else None)
    prompt = await tx.prompts.open_prompt(
        group.platform, group.chat_id, None, pick.question.id, False, None, now,
        closes_at=now + GROUP_QUESTION_WINDOW, choice_order=order, question_version=pick.question.version)
    header = "Today's group question · everyone answers once · open for an hour"
    return Outgoing(question_text(presented(pick.question, order), header), answer_buttons(prompt.id))


async def _claim_groups(tx: UnitOfWork, bank: Bank, default_timezone: str, now: datetime,
                        platforms: Collection[str], rng: random.Random, claimed: Claimed,
                        shuffle: bool) -> None:
    for group, due in await tx.pushes.groups_due(now, platforms, BATCH):
        zone = ZoneInfo(group.timezone or default_timezone)
        if not await tx.pushes.reschedule_group(group, due, group_schedule(group, default_timezone, now)):
            continue  # another tick or instance claimed it
        fresh = _catch_up(due, now, zone, partial(group_schedule, group, default_timezone))
        if fresh is None:
            claimed.skipped += 1
            continue
        day = fresh.astimezone(zone).date()
        kinds = ([PushKind.GROUP_WEEKLY] if now.astimezone(zone).weekday() == 0 else []) + \
            ([PushKind.GROUP_DAILY] if group.daily_question_at is not None else [])
        keys = [PushKey(kind, group.platform, group.chat_id, None, day) for kind in kinds]
        recorded = await tx.pushes.record_pushes(keys, now)
        address = Address(group.platform, group.chat_id)
        for key in keys:
            if key not in recorded:
                continue
            message = (await _weekly_summary(tx, group, zone, now) if key.kind is PushKind.GROUP_WEEKLY
                       else await _group_question(tx, bank, group, now, rng, shuffle))
            if message is not None:
                claimed.pushes.append(Push(recorded[key], key.kind, address, message, None))


async def _claim_digests(tx: UnitOfWork, bank: Bank, default_timezone: str, now: datetime,
                         platforms: Collection[str], claimed: Claimed) -> None:
    """Weekly digests due: whoever moves a learner's next digest owns it, and the pushes key
    (one per learner's chat and local Sunday) makes it once a week even so."""
    for learner, due in await tx.pushes.digests_due(now, platforms, BATCH):
        zone = ZoneInfo(learner.timezone or default_timezone)
        schedule = partial(next_digest_at, zone)
        if not await tx.pushes.reschedule_digest(learner.id, due, schedule(now)):
            continue  # another tick or instance claimed it
        fresh = _catch_up(due, now, zone, schedule)
        if learner.private_chat_id is None or fresh is None:
            claimed.skipped += 1
            continue
        key = PushKey(PushKind.DIGEST, learner.platform, learner.private_chat_id, learner.id,
                      fresh.astimezone(zone).date())
        recorded = await tx.pushes.record_pushes([key], now)
        if key in recorded:
            claimed.pushes.append(Push(recorded[key], key.kind, Address(key.platform, key.chat_id),
                                       await digest_message(tx, bank, learner, zone, now),
                                       (learner.platform, learner.user_id)))


def _report_key_chat(subscription: ReportSubscription) -> str:
    """The pushes key's chat for one admin's report of one group, so two admins of a group, or
    one admin of two groups, each get theirs; hashed if the pair would not fit the column."""
    pair = f"{subscription.group.chat_id}#{subscription.admin.id}"
    return pair if len(pair) <= 64 else hashlib.sha256(pair.encode()).hexdigest()


async def _claim_group_reports(tx: UnitOfWork, bank: Bank, default_timezone: str, now: datetime,
                               platforms: Collection[str], claimed: Claimed) -> None:
    """Monday-morning group reports due, each to the admin who asked, by private message."""
    for subscription, due in await tx.pushes.reports_due(now, platforms, BATCH):
        admin = subscription.admin
        zone = ZoneInfo(admin.timezone or default_timezone)
        schedule = partial(weekly_at, REPORT_DAY, REPORT_AT, zone)
        if not await tx.pushes.reschedule_report(subscription, due, schedule(now)):
            continue
        fresh = _catch_up(due, now, zone, schedule)
        if fresh is None:
            claimed.skipped += 1
            continue
        day = fresh.astimezone(zone).date()
        key = PushKey(PushKind.GROUP_REPORT, subscription.group.platform, _report_key_chat(subscription),
                      admin.id, day)
        recorded = await tx.pushes.record_pushes([key], now)
        if key in recorded:
            message = await report_message(tx, bank, subscription.group, now, day, WEEKLY_FOOTER)
            claimed.pushes.append(Push(recorded[key], key.kind,
                                       Address(key.platform, subscription.private_chat_id), message,
                                       (admin.platform, admin.user_id),
                                       Address(subscription.group.platform, subscription.group.chat_id)))


async def claim_due(store: Store, bank: Bank, default_timezone: str, now: datetime,
                    platforms: Collection[str], rng: random.Random, *, shuffle: bool = True) -> Claimed:
    """Claims the pushes due at `now` on `platforms` (a batch of learners and of groups) and
    returns what to send; platforms this instance does not run are left for one that does."""
    claimed = Claimed([])
    async with store.transaction() as tx:
        await _claim_learners(tx, default_timezone, now, platforms, claimed)
        await _claim_groups(tx, bank, default_timezone, now, platforms, rng, claimed, shuffle)
        await _claim_digests(tx, bank, default_timezone, now, platforms, claimed)
        await _claim_group_reports(tx, bank, default_timezone, now, platforms, claimed)
    claimed.pushes = [await _drawn(push) for push in claimed.pushes]
    return claimed


async def _drawn(push: Push) -> Push:
    """A weekly report's chart, drawn once the claim's transaction holds no lock (bot.drawings)."""
    if push.message.drawing is None:
        return push
    [message] = await draw_all([push.message])
    return replace(push, message=message)


async def record_outcome(store: Store, push_id: int, outcome: PushOutcome) -> None:
    async with store.transaction() as tx:
        await tx.pushes.push_outcome(push_id, outcome)
