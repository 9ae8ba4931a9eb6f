"""One definition per learner figure: /stats, /plan, the readiness line and the mock report give the
same per-domain numbers for one learner history (practice, reviews and a mock)."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from datetime import timedelta

import pytest

from bot.core import StudyBot
from bot.domain.cards import make_scheduler
from bot.domain.figures import percent, rounded
from bot.domain.questions import Bank
from bot.domain.readiness import MIN_FIRST_ATTEMPTS
from bot.ports.clock import FixedClock
from bot.storage.store import Store
from tests.chat import Chatter
from tests.conftest import make_question

DOMAIN_LINE = re.compile(r"^D(\d) [^(]+\(\d+%\): (\d+)% of (\d+)$", re.M)
MOCK_LINE = re.compile(r"^D(\d) [^(]+\(\d+%\): (\d+)/(\d+), (\d+)%$", re.M)
ASKED = re.compile(r"Question (\d+) of domain (\d)")


class Ledger:
    """What the learner did, kept by the test itself: the expected figures come from here."""

    def __init__(self) -> None:
        self.answers: list[tuple[str, int, bool]] = []  # (question id, domain, right)

    def record(self, text: str, right: bool) -> None:
        n, domain = ASKED.findall(text)[-1]
        self.answers.append((f"d{domain}-{int(n):04d}", int(domain), right))

    def by_domain(self, answers: list[tuple[str, int, bool]] | None = None) -> dict[int, tuple[int, int]]:
        tally: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for _, domain, right in self.answers if answers is None else answers:
            tally[domain][0] += right
            tally[domain][1] += 1
        return {d: (r, n) for d, (r, n) in tally.items()}

    def first_attempts(self) -> dict[int, int]:
        seen: set[str] = set()
        counts: dict[int, int] = defaultdict(int)
        for qid, domain, _ in self.answers:
            if qid not in seen:
                seen.add(qid)
                counts[domain] += 1
        return counts


@pytest.fixture
def big_bank() -> Bank:
    return Bank([make_question(d, n) for d in range(1, 9) for n in range(1, 21)])


@pytest.fixture
def learner(store: Store, big_bank: Bank, clock: FixedClock) -> Chatter:
    bot = StudyBot(store, big_bank, clock, rng=random.Random(3), scheduler=make_scheduler(fuzz=False),
                    shuffle_choices=False)
    return Chatter(bot)


def stats_by_domain(text: str) -> dict[int, tuple[int, int]]:
    return {int(d): (int(pct), int(n)) for d, pct, n in DOMAIN_LINE.findall(text)}


async def answer_current(chat: Chatter, ledger: Ledger, right: bool) -> None:
    ledger.record(chat.text, right)
    await chat.press("B" if right else "A")


async def test_every_view_shows_the_same_per_domain_figures(learner: Chatter, clock: FixedClock) -> None:
    chat, ledger = learner, Ledger()
    # Practice: new questions, wrong on every third.
    for i in range(30):
        await chat.send("/quiz")
        await answer_current(chat, ledger, right=i % 3 != 0)
    # Reviews, three days on: the daily session serves due cards first.
    clock.set(clock.now() + timedelta(days=3))
    await chat.send("/daily")
    for i in range(8):
        assert "review" in chat.text or "Daily" in chat.text
        await answer_current(chat, ledger, right=i % 2 == 0)
        await chat.press("Next")
    # A sprint mock, every answer recorded; wrong on every fourth.
    await chat.send("/mock sprint")
    mock_start = len(ledger.answers)
    for i in range(50):
        await answer_current(chat, ledger, right=i % 4 != 0)
    report = chat.text
    expected = ledger.by_domain()

    await chat.send("/stats")
    stats = stats_by_domain(chat.text)
    assert stats == {d: (percent(r, n), n) for d, (r, n) in expected.items()}
    total, right = len(ledger.answers), sum(r for r, _ in expected.values())
    assert f"Answered: {total} · accuracy {percent(right, total)}%" in chat.text

    # The readiness line counts first attempts, practice and mock alike.
    needed = {d: MIN_FIRST_ATTEMPTS - n for d, n in ledger.first_attempts().items()
              if n < MIN_FIRST_ATTEMPTS}
    for d in range(1, 9):
        needed.setdefault(d, MIN_FIRST_ATTEMPTS)
    shown = {int(d): int(n) for d, n in re.findall(r"D(\d) [A-Za-z& ]+? (\d+)(?=[,.])", chat.text)}
    assert shown == needed

    # /plan names the weak domains with the very same percentages as /stats.
    await chat.send(f"/examdate {(clock.now() + timedelta(days=60)).date().isoformat()}")
    await chat.send("/plan")
    weak = re.search(r"Weakest so far, given more time: (.*)", chat.text)
    assert weak is not None
    for d, pct in re.findall(r"D(\d) [A-Za-z& ]+? (\d+)%", weak.group(1)):
        assert int(pct) == stats[int(d)][0]

    # The mock report's table is the same figure over the mock's own answers.
    mock = ledger.by_domain(ledger.answers[mock_start:])
    assert {int(d): (int(r), int(n), int(p)) for d, r, n, p in MOCK_LINE.findall(report)} == \
        {d: (r, n, percent(r, n)) for d, (r, n) in mock.items()}


async def test_a_mock_alone_is_already_progress(learner: Chatter) -> None:
    chat, ledger = learner, Ledger()
    await chat.send("/mock sprint")
    for i in range(50):
        await answer_current(chat, ledger, right=i % 3 != 0)
    report = chat.text
    await chat.send("/stats")
    assert "No answers yet" not in chat.text
    from_report = {int(d): (int(p), int(n)) for d, _, n, p in MOCK_LINE.findall(report)}
    assert stats_by_domain(chat.text) == from_report
    right = sum(r for _, _, r in ledger.answers)
    assert f"Correct: {right} of 50 ({percent(right, 50)}%)" in report


@pytest.mark.parametrize(("part", "whole", "shown"), [(2, 3, 67), (1, 3, 33), (1, 8, 13), (1, 200, 1),
                                                      (0, 5, 0), (5, 5, 100), (0, 0, 0)])
def test_percentages_round_half_up(part: int, whole: int, shown: int) -> None:
    assert percent(part, whole) == shown


def test_float_percentages_round_half_up() -> None:
    assert [rounded(x) for x in (66.5, 67.49, 0.5, 99.5)] == [67, 67, 1, 100]
