"""Mock exams: blueprint allocation, the timer, restarts, review of missed questions, and bad input."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import timedelta

import pytest

from bot import payloads
from bot.core import StudyBot
from bot.domain.blueprint import allocate
from bot.domain.cards import make_scheduler, review
from bot.domain.questions import Bank
from bot.mock.handlers import draw
from bot.ports.clock import FixedClock
from bot.storage.store import Store
from tests.chat import Chatter
from tests.conftest import START, make_question

PER_DOMAIN = 40


@pytest.fixture
def bank() -> Bank:
    """Forty questions in every domain (enough for a full mock), each keyed B."""
    return Bank([make_question(d, n) for d in range(1, 9) for n in range(1, PER_DOMAIN + 1)])


def domain_table(text: str) -> dict[int, tuple[int, int]]:
    return {int(d): (int(right), int(asked))
            for d, right, asked in re.findall(r"^D(\d) .*: (\d+)/(\d+), \d+%$", text, re.M)}


async def mock_of(store: Store, chat: Chatter) -> list[str]:
    """The question ids of the learner's latest mock, in order."""
    async with store.transaction() as tx:
        learner = await tx.learners.find_learner(chat.person.platform, chat.person.user_id)
        assert learner is not None
        latest = (await tx.mocks.mock_history(learner.id, 1))[0]
        return [item.question_id for item in await tx.mocks.mock_items(latest.id)]


def test_largest_remainder_allocation_follows_the_blueprint() -> None:
    assert allocate(200) == {1: 26, 2: 14, 3: 20, 4: 34, 5: 34, 6: 34, 7: 14, 8: 24}
    # 50 x weights leaves six domains at .5: the three 17 % domains win the three spare questions
    assert allocate(50) == {1: 6, 2: 3, 3: 5, 4: 9, 5: 9, 6: 9, 7: 3, 8: 6}
    assert all(sum(allocate(n).values()) == n for n in range(0, 301))


def test_draw_prefers_unseen_questions_and_mixes_domains(bank: Bank) -> None:
    seen = {q.id for q in bank.questions if int(q.id[-4:]) <= 36}  # 4 unseen left in each domain
    chosen = draw(bank, 50, seen, random.Random(3))
    per_domain = Counter(q.domain for q in chosen)
    assert per_domain == Counter(allocate(50))
    for domain, count in per_domain.items():
        unseen_taken = sum(q.id not in seen for q in chosen if q.domain == domain)
        assert unseen_taken == min(count, 4)  # every unseen one before any seen one
    assert len({q.id for q in chosen}) == 50
    assert [q.domain for q in chosen] != sorted(q.domain for q in chosen)  # shuffled, not in blocks


def test_a_small_bank_gives_a_shorter_mock() -> None:
    small = Bank([make_question(d, n) for d in range(1, 9) for n in range(1, 4)])
    chosen = draw(small, 50, set(), random.Random(1))
    assert Counter(q.domain for q in chosen) == {d: min(3, n) for d, n in allocate(50).items() if n}


async def test_sprint_is_silent_until_the_end_then_scores_and_reviews(
        chat: Chatter, clock: FixedClock) -> None:
    intro, first = await chat.send("/mock sprint")
    assert "50 questions, 30 minutes" in intro.text
    assert first.text.startswith("Sprint mock · 1/50 · 30:00 left")
    for n in range(50):
        clock.set(clock.now() + timedelta(seconds=20))
        reply = (await chat.press("B" if n < 37 else "A"))[0]
        assert reply.replace
        if n < 49:
            assert reply.text.startswith(f"Sprint mock · {n + 2}/50 · ")
            assert "Correct" not in reply.text and "answer is" not in reply.text  # no feedback
    result = chat.last[0].text
    assert "all 50 answered in 16:40" in result
    assert "Correct: 37 of 50 (74%)." in result
    assert "Estimated score: 74 of 100: PASS (70 needed)" in result
    assert "scaled score, not a raw percentage" in result
    table = domain_table(result)
    assert {d: asked for d, (_, asked) in table.items()} == allocate(50)
    assert sum(right for right, _ in table.values()) == 37
    assert "D4 Records (17%)" in result

    review = (await chat.press("Review missed (13)"))[0]
    assert not review.replace  # the result stays; the review is a new message
    assert review.text.startswith("Missed 1 of 13 · question 38")
    assert "You chose A." in review.text and "Answer: B. second" in review.text
    assert "Source: Test fixture" in review.text
    for n in range(2, 14):
        review = (await chat.press("Next missed"))[0]
        assert review.replace and review.text.startswith(f"Missed {n} of 13")
    assert [c.label for c in review.choices] == ["Report a problem"]  # the last one has no Next


async def test_mocks_move_no_cards_and_earn_no_points(chat: Chatter, store: Store) -> None:
    await chat.send("/mock sprint")
    for _ in range(50):
        await chat.press("B")
    await chat.send("/stats")
    # Mock answers are answers in every figure (and count toward today's goal), but move no card
    # and earn no points.
    assert "Answered: 50 · accuracy 100%" in chat.text
    assert "Today: 50/10" in chat.text
    async with store.transaction() as tx:
        learner = await tx.learners.find_learner("test", "u1")
        assert learner is not None
        assert await tx.answers.cards(learner.id) == []
        assert await tx.answers.answers_since(learner.id, START) == []  # no practice answers, no points
        assert len(await tx.answers.first_attempts(learner.id)) == 50  # still evidence for readiness


async def test_time_left_shows_and_an_expired_timer_ends_the_exam(chat: Chatter, clock: FixedClock) -> None:
    await chat.send("/mock sprint")
    clock.set(clock.now() + timedelta(minutes=12, seconds=30))
    await chat.press("B")
    assert "2/50 · 17:30 left" in chat.text
    await chat.press("B")
    clock.set(clock.now() + timedelta(minutes=18))
    result = (await chat.press("B"))[0]
    assert result.replace
    assert "time's up with 2 of 50 answered (the 48 unanswered count as wrong)" in result.text
    assert "Correct: 2 of 50 (4%)." in result.text and "FAIL" in result.text
    assert "Review missed (48)" in [c.label for c in result.choices]
    review = (await chat.press("Review missed (48)"))[0]
    assert "Not answered: the time ran out." in review.text


async def test_the_tick_posts_the_result_of_an_expired_mock_once(
        study_bot: StudyBot, chat: Chatter, clock: FixedClock) -> None:
    await chat.send("/mock full")
    assert "2:00:00 left" in chat.text
    stale = chat.payload("B")
    await chat.press("B")
    clock.set(clock.now() + timedelta(hours=2))
    assert await study_bot.close_due_rounds(platform="other") == []  # another platform's tick
    posted = await study_bot.close_due_rounds()
    assert len(posted) == 1
    address, result = posted[0]
    assert (address.platform, address.chat_id) == ("test", "u1")
    assert "Full mock: time's up with 1 of 200 answered" in result.text
    assert await study_bot.close_due_rounds() == []
    reply = (await chat.press("C"))[0]
    assert reply.private and "has ended" in reply.text
    assert "has ended" in (await chat.press_payload(stale))[0].text


async def test_a_mock_survives_a_restart_and_its_clock_keeps_running(
        store: Store, bank: Bank, clock: FixedClock) -> None:
    first = StudyBot(store, bank, clock, rng=random.Random(1), scheduler=make_scheduler(fuzz=False),
                    shuffle_choices=False)
    chat = Chatter(first)
    await chat.send("/mock sprint")
    for _ in range(3):
        await chat.press("B")
    pending = chat.payload("B")
    clock.set(clock.now() + timedelta(minutes=10))  # the bot is down for ten minutes

    restarted = StudyBot(store, bank, clock, rng=random.Random(2), scheduler=make_scheduler(fuzz=False),
                    shuffle_choices=False)
    again = Chatter(restarted)
    reply = (await again.press_payload(pending))[0]
    assert reply.text.startswith("Sprint mock · 5/50 · 20:00 left")
    await again.send("/mock")
    assert "running, question 5 of 50, 20:00 left" in again.text
    clock.set(clock.now() + timedelta(minutes=20))
    await again.send("/mock")
    assert "time's up with 4 of 50 answered" in again.last[0].text
    assert "8% correct, below 70, time ran out" in again.last[1].text


async def test_bad_input_during_and_outside_a_mock(study_bot: StudyBot, chat: Chatter, store: Store) -> None:
    await chat.send("/mock stop")
    assert "No mock exam is running" in chat.text
    await chat.send("/mock marathon")
    assert "Example: /mock sprint" in chat.text and "\n" not in chat.text
    await chat.send("/mock sprint")
    first_question = chat.payload("B")
    await chat.press("B")
    second = chat.last[0].text
    replies = await chat.send("/mock full")
    assert "already running" in replies[0].text and "/mock stop" in replies[0].text
    assert replies[1].text == second and len(await mock_of(store, chat)) == 50  # nothing new started
    double = chat.payload("B")
    await chat.press_payload(double)
    current = chat.payload("A")
    assert "already answered" in (await chat.press_payload(double))[0].text
    stale = (await chat.press_payload(first_question))[0]
    assert stale.private and "already answered" in stale.text
    mock_id = payloads.decode(current)
    assert isinstance(mock_id, payloads.MockAnswer) and mock_id.position == 2
    stranger = Chatter(study_bot, "u2")
    assert "closed" in (await stranger.press_payload(current))[0].text
    forged = payloads.encode(payloads.MockAnswer(mock_id.mock_id + 99, 0, "A"))
    assert "closed" in (await chat.press_payload(forged))[0].text
    review_early = payloads.encode(payloads.MockReview(mock_id.mock_id, 0))
    assert "nothing to review" in (await chat.press_payload(review_early))[0].text
    await chat.send("/mock stop")
    assert "Mock stopped after 2 of 50 answers. Kept: your 2 answers count in /stats" in chat.text
    await chat.send("/mock")
    assert "abandoned after 2 of 50" in chat.text
    group = Chatter(study_bot, "u1", chat_id="-100", group=True)
    await group.send("/mock sprint")
    assert "private chat" in group.text


async def test_typed_letters_answer_the_mock_and_the_menu_starts_one(chat: Chatter, store: Store) -> None:
    await chat.send("/mock")
    assert "/mock sprint - 50 questions in 30 minutes" in chat.text
    await chat.press("Start a full mock")
    assert "Full mock · 1/200 · 2:00:00 left" in chat.text
    reply = (await chat.send("b"))[0]
    assert reply.text.startswith("Full mock · 2/200") and not reply.replace
    ids = await mock_of(store, chat)
    assert Counter(i.split("-")[0] for i in ids) == {f"d{d}": n for d, n in allocate(200).items()}


async def test_a_mock_prefers_questions_never_practised(chat: Chatter, store: Store, bank: Bank) -> None:
    await chat.send("/help")  # the learner exists
    async with store.transaction() as tx:
        learner = await tx.learners.find_learner("test", "u1")
        assert learner is not None
        for q in bank.questions:
            if int(q.id[-4:]) <= PER_DOMAIN - 9:  # 9 unseen left per domain, enough for a sprint
                await tx.answers.save_card(learner.id, review(make_scheduler(), q.id, None, True, START))
    await chat.send("/mock sprint")
    drawn = await mock_of(store, chat)
    assert all(int(qid[-4:]) > PER_DOMAIN - 9 for qid in drawn)
    await chat.send("/mock stop")
    await chat.send("/mock sprint")  # the first sprint's shown questions count as seen now
    assert drawn[0] not in await mock_of(store, chat)


async def test_help_lists_the_exam_commands_and_says_mocks_do_not_teach(chat: Chatter) -> None:
    await chat.send("/help")
    for command in ("/mock sprint|full", "/plan", "/examresult passed|failed"):
        assert command in chat.text
    assert "mock answers do not change your reviews or points" in chat.text
