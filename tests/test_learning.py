"""The learning engine: FSRS mapping and next-question selection (pure, no I/O)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.domain.cards import make_scheduler, retrievability, review
from bot.domain.exam import BY_NUMBER
from bot.domain.models import DomainRecord
from bot.domain.questions import Bank
from bot.domain.selection import LearnerView, pick_next
from tests.conftest import make_question

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def view(**overrides: object) -> LearnerView:
    base: dict[str, object] = {"due": (), "seen": frozenset(), "answered_today": frozenset(),
                               "last_question": None}
    base.update(overrides)
    return LearnerView(**base)  # type: ignore[arg-type]


def test_correct_is_good_and_wrong_is_again() -> None:
    scheduler = make_scheduler(fuzz=False)
    good = review(scheduler, "q", None, True, NOW)
    again = review(scheduler, "q", None, False, NOW)
    assert good.due > again.due > NOW
    assert good.due.tzinfo is UTC and good.last_review == NOW
    later = review(scheduler, "q", good, True, good.due)
    assert later.due - good.due > good.due - NOW  # intervals grow with each success
    relapse = review(scheduler, "q", later, False, later.due)
    assert relapse.stability is not None and later.stability is not None
    assert relapse.stability < later.stability


def test_fuzz_off_is_deterministic_and_days_based() -> None:
    scheduler = make_scheduler(fuzz=False)
    a = review(scheduler, "q", None, False, NOW)
    b = review(scheduler, "q", None, False, NOW)
    assert a == b
    assert a.due - NOW >= timedelta(days=1)  # no minute-long learning steps


def test_due_reviews_come_first_most_forgotten_first(bank: Bank) -> None:
    pick = pick_next(bank, view(due=[("d1-0001", 0.8), ("d2-0001", 0.3), ("d3-0001", 0.6)],
                                seen=frozenset({"d1-0001", "d2-0001", "d3-0001"})),
                     random.Random(1))
    assert pick is not None and pick.is_review and pick.question.id == "d2-0001"


def test_never_the_same_question_twice_in_a_row_nor_one_answered_today(bank: Bank) -> None:
    due = [("d1-0001", 0.1), ("d1-0002", 0.2), ("d1-0003", 0.3)]
    pick = pick_next(bank, view(due=due, last_question="d1-0001",
                                answered_today=frozenset({"d1-0002"})), random.Random(1))
    assert pick is not None and pick.question.id == "d1-0003"


def test_answered_today_only_returns_when_nothing_else_is_left() -> None:
    bank = Bank([make_question(1, 1), make_question(1, 2)])
    everything = frozenset({"d1-0001", "d1-0002"})
    for seed in range(20):
        pick = pick_next(bank, view(seen=everything, answered_today=everything,
                                    last_question="d1-0002"), random.Random(seed))
        assert pick is not None and pick.question.id == "d1-0001"
    single = Bank([make_question(1, 1)])
    pick = pick_next(single, view(seen=frozenset({"d1-0001"}), answered_today=frozenset({"d1-0001"}),
                                  last_question="d1-0001"), random.Random(0))
    assert pick is not None and pick.question.id == "d1-0001"


def test_domain_filter_and_empty_scope(bank: Bank) -> None:
    pick = pick_next(bank, view(), random.Random(3), domain=5)
    assert pick is not None and pick.question.domain == 5 and not pick.is_review
    assert pick_next(Bank([make_question(1, 1)]), view(), random.Random(3), domain=5) is None


def test_new_questions_follow_blueprint_weights() -> None:
    bank = Bank([make_question(d, n) for d in range(1, 9) for n in range(1, 30)])
    rng = random.Random(11)
    draws = Counter(pick_next(bank, view(), rng).question.domain for _ in range(20_000))  # type: ignore[union-attr]
    for number, domain in BY_NUMBER.items():
        assert abs(draws[number] / 20_000 - domain.weight / 100) < 0.015, (number, draws)


def test_weak_domains_are_drawn_more_often() -> None:
    bank = Bank([make_question(d, n) for d in (4, 5) for n in range(1, 30)])
    records = {4: DomainRecord(answered=20, correct=18), 5: DomainRecord(answered=20, correct=6)}
    rng = random.Random(5)
    draws = Counter(pick_next(bank, view(records=records), rng).question.domain  # type: ignore[union-attr]
                    for _ in range(5_000))
    # equal blueprint weight (17 %), weakness 3/22 vs 15/22: about five times as many from domain 5
    assert 4 < draws[5] / draws[4] < 6.5


def test_retrievability_falls_with_time() -> None:
    scheduler = make_scheduler(fuzz=False)
    card = review(scheduler, "q", None, True, NOW)
    assert retrievability(scheduler, card, NOW + timedelta(days=1)) > retrievability(
        scheduler, card, NOW + timedelta(days=10))
