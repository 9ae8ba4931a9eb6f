"""The study plan (3 days, 3 weeks, 6 weeks, 6 months, a retake), /plan's bad input, and reviews capped
at the exam date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from bot.domain.cards import make_scheduler, review
from bot.domain.models import DomainRecord
from bot.domain.plan import Plan, build
from bot.ports.clock import FixedClock
from bot.storage.store import Store
from tests.chat import Chatter

TODAY = date(2026, 3, 2)
BANK = 446


def check_shape(plan: Plan, today: date) -> None:
    """Blocks tile today..the day before the exam; mocks are in order, before the last day."""
    assert plan.blocks[0].first == today and plan.blocks[-1].last == plan.exam - timedelta(days=1)
    for before, after in pairwise(plan.blocks):
        assert after.first == before.last + timedelta(days=1)
    assert [b.final for b in plan.blocks] == [False] * (len(plan.blocks) - 1) + [True]
    days = [d for d, _ in plan.mocks]
    assert days == sorted(days) and all(today <= d < plan.exam for d in days)


def test_three_days_to_the_exam() -> None:
    exam = TODAY + timedelta(days=3)
    plan = build(TODAY, exam, BANK, {})
    check_shape(plan, TODAY)
    assert len(plan.blocks) == 1 and plan.blocks[0].domains[:3] == (4, 5, 6)  # heaviest first
    assert plan.quota == 149 and plan.new_until == exam - timedelta(days=1)
    assert plan.mocks == ((TODAY, "full"), (TODAY + timedelta(days=1), "sprint"))  # rest on the last day


def test_three_weeks_to_the_exam() -> None:
    exam = TODAY + timedelta(days=21)
    plan = build(TODAY, exam, BANK, {})
    check_shape(plan, TODAY)
    week1, week2, final = plan.blocks
    assert week1.domains[:2] == (1, 2) and set(week1.domains) == {1, 2, 4, 5, 6}  # phases compressed
    assert set(week2.domains) == {3, 4, 5, 6, 7, 8}
    assert final.first == exam - timedelta(days=7)
    assert plan.quota == 32 and plan.new_until == exam - timedelta(days=8)  # 446 over 14 days
    assert plan.mocks == ((week1.last, "sprint"), (final.first, "full"), (exam - timedelta(days=3), "sprint"))


def test_six_weeks_follow_the_template_order() -> None:
    plan = build(TODAY, TODAY + timedelta(days=42), BANK, {})
    check_shape(plan, TODAY)
    assert [set(b.domains) for b in plan.blocks[:-1]] == [{1, 2}, {4, 5, 6}, {4, 5, 6}, {4, 5, 6}, {3, 7, 8}]


def test_six_months_to_the_exam() -> None:
    exam = TODAY + timedelta(days=182)
    plan = build(TODAY, exam, BANK, {})
    check_shape(plan, TODAY)
    phases = [set(b.domains) for b in plan.blocks[:-1]]
    assert len(phases) == 25
    assert [phases.count(p) for p in ({1, 2}, {4, 5, 6}, {3, 7, 8})] == [5, 13, 7]  # by blueprint weight
    assert phases == sorted(phases, key=lambda p: [{1, 2}, {4, 5, 6}, {3, 7, 8}].index(p))
    assert plan.quota == 3 and plan.new_until == exam - timedelta(days=8)
    days = [TODAY - timedelta(days=1), *(d for d, _ in plan.mocks)]
    assert max((b - a).days for a, b in pairwise(days)) <= 28
    assert plan.mocks[-2:] == ((exam - timedelta(days=7), "full"), (exam - timedelta(days=3), "sprint"))


def test_weak_domains_get_more_time_and_come_first() -> None:
    exam = TODAY + timedelta(days=182)
    weak = {d: DomainRecord(40, 12) for d in (3, 7, 8)} | {6: DomainRecord(40, 14)}
    strong = {d: DomainRecord(40, 36) for d in (1, 2, 4, 5)}
    plan = build(TODAY, exam, BANK, weak | strong)
    phases = [set(b.domains) for b in plan.blocks[:-1]]
    assert phases.count({3, 7, 8}) > 7  # more than the 7 weeks it gets without evidence
    assert plan.blocks[-2].domains[0] in (3, 8)
    assert next(b for b in plan.blocks if 6 in b.domains).domains[0] == 6  # weakest of D4-6 first
    retake = build(TODAY, exam, BANK, weak | strong, retake=True)
    assert set(retake.blocks[0].domains) == {6, 8, 3}  # weight x weakness, weakest first


def test_no_questions_left_means_no_quota() -> None:
    plan = build(TODAY, TODAY + timedelta(days=30), 0, {})
    assert plan.quota == 0


def test_reviews_never_fall_after_the_exam() -> None:
    scheduler = make_scheduler(fuzz=False)
    card = review(scheduler, "q", None, True, datetime(2026, 3, 2, 15, tzinfo=UTC))
    for _ in range(3):
        card = review(scheduler, "q", card, True, card.due)
    free = review(scheduler, "q", card, True, card.due)
    exam = card.due + timedelta(days=2)
    capped = review(scheduler, "q", card, True, card.due, due_by=exam)
    assert free.due > exam == capped.due
    assert (capped.stability, capped.difficulty) == (free.stability, free.difficulty)  # memory intact


async def test_practice_before_an_exam_is_due_by_exam_day(chat: Chatter, store: Store) -> None:
    await chat.send("/examdate 2026-03-04")
    await chat.send("/quiz")
    await chat.press("B")
    async with store.transaction() as tx:
        learner = await tx.learners.find_learner("test", "u1")
        assert learner is not None
        (card,) = await tx.answers.cards(learner.id)
    uncapped = review(make_scheduler(fuzz=False), card.question_id, None, True,
                      datetime(2026, 3, 2, 15, tzinfo=UTC))
    exam_start = datetime(2026, 3, 4, tzinfo=UTC)
    assert uncapped.due > exam_start and card.due == exam_start


async def test_plan_needs_a_future_exam_date(chat: Chatter, clock: FixedClock) -> None:
    for command in ("/plan", "/plan now"):
        await chat.send(command)
        assert "Example: /examdate" in chat.text and "\n" not in chat.text
    await chat.send("/examdate 2026-03-04")
    clock.set(clock.now() + timedelta(days=3))
    await chat.send("/plan")
    assert "2026-03-04 has passed" in chat.text and "/examresult" in chat.text
    clock.set(clock.now() - timedelta(days=1))
    await chat.send("/plan")
    assert "Your exam is today" in chat.text


async def test_plan_in_conversation(chat: Chatter) -> None:
    await chat.send("/examdate 2026-04-13")
    await chat.send("/quiz 5")
    await chat.press("A")
    await chat.send("/plan")
    text = chat.text
    assert text.startswith("Your plan to Monday 13 April 2026 (42 days left)")
    assert "New questions: 1 a day until Apr 5, to meet the 23 you have not seen yet." in text
    assert "Week 1 (Mar 2-8): D1 Foundations, D2 Clinical" in text
    assert "Final week (Apr 6-12): no new questions" in text
    assert "Mock exams (/mock): sprint Mar 8, sprint Mar 29, full Apr 6, sprint Apr 10." in text
    assert chat.last[0].private
