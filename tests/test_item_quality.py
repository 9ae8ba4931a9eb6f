"""The item-quality loop: learners' first answers and reports become statistics and review flags."""

from __future__ import annotations

import csv
import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.content.stats import flagged_lines, item_stats, write_csv
from bot.core import StudyBot
from bot.domain.cards import make_scheduler
from bot.domain.item_stats import MIN_LEARNERS
from bot.domain.models import AnswerRecord
from bot.domain.questions import LETTERS, Bank
from bot.events import Person
from bot.ports.clock import FixedClock
from bot.storage.store import Store
from tests.chat import Chatter
from tests.conftest import START, make_question

PLANTED = "d3-0004"  # keyed B in the bank, but C is what the facts say


def simulated_bank() -> Bank:
    return Bank([make_question(d, n) for d in range(1, 9) for n in range(1, 13)])


async def simulate(store: Store, bank: Bank, learners: int = 50, seed: int = 11) -> None:
    """Learners of spread-out ability answer every question once: one who knows it picks the true
    answer, one who does not guesses; the planted item's true answer is not its key."""
    rng = random.Random(seed)
    async with store.transaction() as tx:
        for n in range(learners):
            learner = await tx.learners.learner(Person("test", f"sim{n}", f"Sim {n}"), START, None)
            ability = 0.25 + 0.7 * n / (learners - 1)
            for i, q in enumerate(bank.questions):
                truth = "C" if q.id == PLANTED else q.answer
                choice = truth if rng.random() < ability else rng.choice(LETTERS)
                await tx.answers.record_answer(learner.id, AnswerRecord(
                    q.id, q.domain, choice == q.answer, False, START + timedelta(minutes=i),
                    choice=choice, question_version=1))


async def test_fifty_learners_flag_the_planted_wrong_key(store: Store, tmp_path: Path) -> None:
    bank = simulated_bank()
    await simulate(store, bank)
    stats = {s.question.id: s for s in await item_stats(store, bank)}
    planted = stats[PLANTED]
    assert planted.answered == 50
    assert planted.discrimination is not None and planted.discrimination < 0
    assert any("negative discrimination" in f for f in planted.flags)
    assert "strong learners pick C over the key B" in planted.flags
    assert planted.shares["C"] > planted.shares["B"]
    sound = [s for qid, s in stats.items() if qid != PLANTED]
    # 50 learners make a noisy sample: a sound item may come out weak, but none so far below the
    # planted one, and strong learners never prefer one of its distractors.
    assert all(s.discrimination is not None and s.discrimination > planted.discrimination + 0.3
               for s in sound)
    assert not any("strong learners" in f for s in sound for f in s.flags)
    assert any(line.startswith(f"{PLANTED} v1: negative discrimination")
               for line in flagged_lines(list(stats.values())))

    table = tmp_path / "items.csv"
    write_csv(list(stats.values()), table)
    rows = {row["question"]: row for row in csv.DictReader(table.open(encoding="utf-8"))}
    assert len(rows) == len(bank.questions)
    assert rows[PLANTED]["answered"] == "50" and "negative discrimination" in rows[PLANTED]["flags"]
    assert abs(sum(float(rows[PLANTED][f"share_{x}"]) for x in LETTERS) - 1) < 0.01


async def test_the_share_right_shows_once_enough_learners_met_a_question(store: Store,
                                                                        clock: FixedClock) -> None:
    bank = Bank([make_question(1, 1)])
    bot = StudyBot(store, bank, clock, rng=random.Random(1), scheduler=make_scheduler(fuzz=False),
                   shuffle_choices=False)
    for n in range(MIN_LEARNERS):
        chat = Chatter(bot, user=f"u{n}")
        await chat.send("/quiz")
        await chat.press("B" if n % 4 else "A")  # 15 of the 20 right
        shown = "75% of learners got this right the first time." in chat.text
        assert shown == (n == MIN_LEARNERS - 1)  # from the 20th first answer on


async def test_a_report_is_stored_against_the_version_and_takes_a_note(store: Store,
                                                                      study_bot: StudyBot) -> None:
    chat = Chatter(study_bot)
    await chat.send("/quiz")
    question_id = chat.last[0].choices[0].payload  # the prompt is ours; the id comes with the report
    await chat.press("B")
    assert question_id
    await chat.press("Report a problem")
    assert chat.text.startswith("What is wrong with question d")
    await chat.press("Wrong answer key")
    assert "reported as \"Wrong answer key\"" in chat.text and chat.last[0].private
    await chat.send("/report the key should be C: see " + "x" * 600)
    assert "your note is attached to the report on d" in chat.text
    async with store.transaction() as tx:
        [report] = await tx.items.reports()
    assert (report.kind, report.version) == ("wrong_key", 1)
    assert report.text is not None and report.text.startswith("the key should be C")
    assert len(report.text) == 500
    stats = await item_stats(store, study_bot.bank)
    assert any("1 report(s)" in line for line in flagged_lines(stats))


async def test_a_note_without_a_recent_report_is_refused(chat: Chatter) -> None:
    await chat.send("/report the stem is unclear")
    assert "no report of yours from the last hour" in chat.text


def test_about_names_the_bank_and_the_date_its_facts_were_checked() -> None:
    from bot.content.bank import load_bank
    from bot.welcome.texts import about

    bank = load_bank(Path(__file__).parent.parent / "content" / "questions")
    assert bank.as_of is not None
    text = about(bank)
    assert f"{len(bank):,} original questions, facts checked as of {bank.as_of:%d %B %Y}" in text
    assert "Check AMT's current handbook" in text


async def test_a_new_version_starts_its_cards_afresh_and_keeps_old_answers_apart(
        store: Store, clock: FixedClock) -> None:
    v1 = make_question(1, 1)
    first = Chatter(StudyBot(store, Bank([v1]), clock, rng=random.Random(1),
                             scheduler=make_scheduler(fuzz=False), shuffle_choices=False))
    await first.send("/quiz")
    await first.press("B")
    assert "Correct!" in first.text
    fixed = replace(v1, answer="C", version=2)  # the key was wrong: a new version
    clock.set(clock.now() + timedelta(days=3))
    chat = Chatter(StudyBot(store, Bank([fixed]), clock, rng=random.Random(2),
                            scheduler=make_scheduler(fuzz=False), shuffle_choices=False))
    await chat.send("/quiz")
    assert "review" not in chat.text.split("\n")[0]  # the old card does not make it a review
    await chat.press("C")
    assert "Correct!" in chat.text
    async with store.transaction() as tx:
        learner = await tx.learners.find_learner("test", "u1")
        assert learner is not None
        answers = await tx.answers.answers_since(learner.id, START)
        card = await tx.answers.card(learner.id, v1.id)
        tries = [await tx.items.first_tries(v1.id, version) for version in (1, 2)]
    assert [(a.question_version, a.is_review) for a in answers] == [(1, False), (2, False)]
    assert card is not None and card.question_version == 2
    assert [(t.answered, t.correct) for t in tries] == [(1, 1), (1, 1)]
