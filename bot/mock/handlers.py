"""Mock exams: timed, blueprint-weighted, and silent until the end, like the real CMAS.

A mock lives in storage (its questions in order, each answer, its end time), so it survives a restart
and its clock keeps running. Each answer edits the question message into the next one. Time running
out is noticed by the next press or command, or by `close_expired` on the scheduler's tick, whichever
comes first; unanswered questions then count as wrong. Mock answers move no FSRS card and earn no
points: a simulation measures, it does not teach (the review of missed questions does that).
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, timedelta

from bot import payloads
from bot.domain.blueprint import allocate
from bot.domain.exam import SECONDS_PER_QUESTION, MockKind
from bot.domain.grading import Attempt, Mode, grade
from bot.domain.models import Mock, MockItem, MockOutcome
from bot.domain.questions import LETTERS, Bank, Question, new_order, presented
from bot.errors import BadInput, Closed, NotFound
from bot.events import Address
from bot.mock.texts import history_line, question_text, result_text, review_text
from bot.outgoing import Choice, Outgoing
from bot.ports.storage import UnitOfWork
from bot.practice.learning import answered_today, note_progress
from bot.reports.handlers import report_button
from bot.turn import Turn

HISTORY = 5
USAGE = (f"Use /mock sprint ({MockKind.SPRINT.description}) or /mock full ({MockKind.FULL.description}); "
         "/mock stop abandons a running one. Example: /mock sprint")
ENDED = "This mock exam has ended. Send /mock for your results and a new one."


def draw(bank: Bank, total: int, seen: Collection[str], rng: random.Random) -> list[Question]:
    """`total` questions by the blueprint, unseen ones first within each domain, in mixed order.

    A domain with fewer questions than its share gives what it has, so the mock is shorter.
    """
    chosen: list[Question] = []
    for domain, count in allocate(total).items():
        pool = list(bank.in_domain(domain))
        rng.shuffle(pool)
        pool.sort(key=lambda q: q.id in seen)  # stable: unseen first, each part still shuffled
        chosen += pool[:count]
    rng.shuffle(chosen)
    return chosen


async def command(turn: Turn, args: tuple[str, ...]) -> list[Outgoing]:
    """`/mock [sprint|full|stop]`."""
    if turn.chat.is_group:
        return [Outgoing("Mock exams are one person's exam: send /mock to me in a private chat.")]
    word = args[0].lower() if args else ""
    if len(args) > 1 or word not in {"", "stop", *MockKind}:
        raise BadInput(USAGE)
    settled = await _settle(turn)
    if word == "stop":
        return [*settled, await _stop(turn)]
    if word:
        return [*settled, *await _start(turn, MockKind(word))]
    return [*settled, await _menu(turn)]


async def _start(turn: Turn, kind: MockKind) -> list[Outgoing]:
    running = await turn.tx.mocks.running_mock(turn.learner.id)
    if running is not None:
        return [Outgoing(f"A {running.kind} mock is already running: answer it (below), or send "
                         "/mock stop to abandon it before starting another."),
                await _current(turn, running)]
    seen = await turn.tx.mocks.mock_seen(turn.learner.id) | {c.question_id for c in
                                                        await turn.tx.answers.cards(turn.learner.id)}
    questions = draw(turn.bank, kind.questions, seen, turn.rng)
    if not questions:
        return [Outgoing("The question bank is empty, so there is nothing to put in a mock.")]
    address = turn.chat.address
    mock = await turn.tx.mocks.start_mock(
        turn.learner.id, address.platform, address.chat_id, kind,
        [(q.id, q.domain) for q in questions], turn.now,
        turn.now + timedelta(seconds=SECONDS_PER_QUESTION * len(questions)),
        shown=[(new_order(q, turn.choice_rng), q.version) for q in questions])
    if mock is None:  # another one was started concurrently (a double press): show that one
        running = await turn.tx.mocks.running_mock(turn.learner.id)
        return [await _current(turn, running)] if running else [Outgoing("Please try again: /mock sprint")]
    short = (f" The bank has only {len(questions)} of the {kind.questions} questions the blueprint asks "
             "for, so this one is shorter." if len(questions) < kind.questions else "")
    intro = Outgoing(f"{kind.capitalize()} mock: {len(questions)} questions, "
                     f"{len(questions) * SECONDS_PER_QUESTION // 60} minutes, weighted like the real "
                     f"exam. No feedback until the end; /mock stop abandons.{short}")
    return [intro, await _current(turn, mock)]


async def press_answer(turn: Turn, answer: payloads.MockAnswer) -> list[Outgoing]:
    mock = await turn.tx.mocks.mock(answer.mock_id)
    address = turn.chat.address
    if mock is None or mock.learner_id != turn.learner.id:
        raise Closed("This question is closed. Send /mock for a mock exam of your own.")
    if (mock.platform, mock.chat_id) != (address.platform, address.chat_id):
        raise Closed("This mock runs in another chat: answer it there.")
    return await _answer(turn, mock, answer.position, answer.letter, pressed=True)


async def typed_answer(turn: Turn, letter: str) -> list[Outgoing] | None:
    """A typed letter answers the running mock in this chat; None when there is none."""
    mock = await turn.tx.mocks.running_mock(turn.learner.id)
    address = turn.chat.address
    if mock is None or (mock.platform, mock.chat_id) != (address.platform, address.chat_id):
        return None
    if turn.now < mock.ends_at and (mock.shown_at is None or (turn.started and mock.shown_at < turn.started)):
        # Shown before a restart: the screen may no longer show it, so show it before a letter counts.
        return [Outgoing("Your mock is still running. This is the question you are on; answer it with a "
                         "letter or a button:"), await _current(turn, mock)]
    return await _answer(turn, mock, mock.position, letter, pressed=False)


async def press_review(turn: Turn, review: payloads.MockReview) -> list[Outgoing]:
    """One missed question of a finished mock with its explanation, and a button to the next."""
    mock = await turn.tx.mocks.mock(review.mock_id)
    if mock is None or mock.learner_id != turn.learner.id or mock.correct is None:
        raise NotFound("There is nothing to review here. Send /mock for your mocks.")
    missed = [i for i in await turn.tx.mocks.mock_items(mock.id) if not i.correct]
    if review.index >= len(missed):
        raise NotFound("There is nothing to review here. Send /mock for your mocks.")
    item = missed[review.index]
    more = review.index + 1 < len(missed)
    shown = _shown(turn.bank, item)
    buttons: tuple[Choice, ...] = (Choice("Next missed", payloads.encode(payloads.MockReview(
        mock.id, review.index + 1))),) \
        if more else ()
    if shown is not None:
        buttons += (report_button(shown),)
    return [Outgoing(review_text(shown, item, review.index, len(missed)), buttons,
                     replace=review.index > 0)]


async def close_expired(tx: UnitOfWork, bank: Bank, now: datetime,
                        platform: str | None) -> list[tuple[Address, Outgoing]]:
    """Scores mocks whose time is up (on one platform, or all) and returns each result with where it
    goes; finishing is a conditional update, so each result goes once."""
    results = []
    for mock in await tx.mocks.expired_mocks(now):
        if platform is not None and mock.platform != platform:
            continue
        reply = await _finish(tx, bank, mock, MockOutcome.EXPIRED, now)
        if reply is not None:
            results.append((Address(mock.platform, mock.chat_id), reply))
    return results


async def _answer(turn: Turn, mock: Mock, position: int, letter: str, pressed: bool) -> list[Outgoing]:
    if mock.finished_at is not None:
        raise Closed(ENDED)
    if turn.now >= mock.ends_at:
        result = await _finish(turn.tx, turn.bank, mock, MockOutcome.EXPIRED, turn.now)
        return [replace(result, replace=pressed)] if result else [Outgoing(ENDED, private=True)]
    if position != mock.position:
        raise Closed("That question is already answered; the mock has moved on.")
    items = await turn.tx.mocks.mock_items(mock.id)
    correct = grade(Attempt(_shown(turn.bank, items[position]), letter, Mode.MOCK, turn.now),
                    turn.scheduler).correct
    if not await turn.tx.mocks.answer_mock(mock.id, position, letter, correct, turn.now):
        raise Closed("That question is already answered; the mock has moved on.")
    await note_progress(turn, await answered_today(turn))  # mock answers count toward the goal
    mock = replace(mock, position=position + 1)
    if mock.position == mock.total:
        result = await _finish(turn.tx, turn.bank, mock, MockOutcome.DONE, turn.now)
        return [replace(result, replace=pressed)] if result else [Outgoing(ENDED, private=True)]
    return [replace(await _current(turn, mock), replace=pressed)]


async def _current(turn: Turn, mock: Mock) -> Outgoing:
    """The question the mock is at, with the time left and answer buttons that name its position."""
    item = (await turn.tx.mocks.mock_items(mock.id))[mock.position]
    buttons = tuple(Choice(letter, payloads.encode(payloads.MockAnswer(mock.id, mock.position, letter)))
                    for letter in LETTERS)
    await turn.tx.mocks.mark_shown(mock.id, turn.now)
    return Outgoing(question_text(mock, _shown(turn.bank, item), mock.ends_at - turn.now), buttons)


def _shown(bank: Bank, item: MockItem) -> Question | None:
    """A mock question as it was shown to the learner; None if it has left the bank."""
    question = bank.get(item.question_id)
    return presented(question, item.choice_order) if question is not None else None


async def _finish(tx: UnitOfWork, bank: Bank, mock: Mock, outcome: MockOutcome,
                  now: datetime) -> Outgoing | None:
    """Scores and closes a mock; None if another caller closed it first."""
    items = await tx.mocks.mock_items(mock.id)
    correct = sum(item.correct for item in items)
    if not await tx.mocks.finish_mock(mock.id, outcome, correct, now):
        return None
    mock = replace(mock, finished_at=now, outcome=outcome, correct=correct)
    missed = sum(not item.correct for item in items)
    review = (Choice(f"Review missed ({missed})", payloads.encode(payloads.MockReview(mock.id, 0))),)
    return Outgoing(result_text(mock, items), review if missed else ())


async def _settle(turn: Turn) -> list[Outgoing]:
    """Closes the learner's mock if its time ran out while nobody was looking; its result if so."""
    mock = await turn.tx.mocks.running_mock(turn.learner.id)
    if mock is None or turn.now < mock.ends_at:
        return []
    result = await _finish(turn.tx, turn.bank, mock, MockOutcome.EXPIRED, turn.now)
    return [result] if result else []


async def _stop(turn: Turn) -> Outgoing:
    mock = await turn.tx.mocks.running_mock(turn.learner.id)
    if mock is None:
        return Outgoing("No mock exam is running. Start one with /mock sprint or /mock full.")
    await turn.tx.mocks.finish_mock(mock.id, MockOutcome.STOPPED, None, turn.now)
    kept = (f"Kept: your {mock.position} answer{'s' if mock.position != 1 else ''} count in /stats, today's "
            "goal and your readiness evidence. " if mock.position else "No answers to keep. ")
    return Outgoing(f"Mock stopped after {mock.position} of {mock.total} answers. {kept}It stays in your "
                    "history without a score (only finished or timed-out mocks are scored). /mock starts "
                    "a new one.")


async def _menu(turn: Turn) -> Outgoing:
    lines = ["Mock exams: timed and weighted like the real CMAS, no feedback until the end. They do not "
             "change your reviews or points.",
             f"/mock sprint - {MockKind.SPRINT.description}",
             f"/mock full - {MockKind.FULL.description}",
             "/mock stop - abandon a running mock"]
    history = await turn.tx.mocks.mock_history(turn.learner.id, HISTORY)
    if history:
        lines += ["", "Your recent mocks:", *(history_line(m, turn.zone, turn.now) for m in history)]
    return Outgoing("\n".join(lines), (
        Choice("Start a sprint", payloads.encode(payloads.MockStart(full=False))),
        Choice("Start a full mock", payloads.encode(payloads.MockStart(full=True)))))
