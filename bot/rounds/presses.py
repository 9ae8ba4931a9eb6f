"""A burst of group answer presses, graded as one set.

A live round in a big group brings hundreds of presses within seconds, all for one question. Graded
one by one, each costs a dozen statements and the bot falls behind its members. Here what every press
needs (the question, the pressers, their cards, today's answers and runs so far) is read once for
the batch, each press is judged in memory by the one grading function, and every write covers all
of them (bot.practice.learning). A press is judged by when it was made (its platform stamp,
`Turn.acted_at`), not when the bot got round to it.

A refusal (time is up, answered already, a closed question) changes nothing of the learner's; the
delivery is recorded all the same, so a redelivered press is not judged again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot import outbox
from bot.domain.grading import Mode, grade
from bot.domain.models import GroupAnswer, Learner, Prompt, Round
from bot.domain.questions import Bank, Question, presented
from bot.events import ButtonPressed
from bot.groups.handlers import join
from bot.handled import Handled, Outcome
from bot.outgoing import Outgoing
from bot.payloads import Answer
from bot.ports.storage import UnitOfWork
from bot.practice.handlers import CLOSED, RETIRED
from bot.practice.learning import Graded, answers_today, attempt_of, record_all
from bot.practice.texts import answer_buttons, question_text
from bot.rounds.texts import acknowledgement, group_header, round_header
from bot.turn import Turn

TIME_UP = "Time is up for this question; the answer is on its way."
ANSWERED = "You have already answered this one."


@dataclass(frozen=True, slots=True)
class Press:
    event: ButtonPressed
    answer: Answer


MakeTurn = Callable[[UnitOfWork, Learner, ButtonPressed], Turn]
# Handles a press the set does not take (a personal question pressed in a group) the way any other
# event is handled, in a savepoint of its own.
OneByOne = Callable[[ButtonPressed], Awaitable[Handled]]


async def answer_all(tx: UnitOfWork, presses: Sequence[Press], bank: Bank, now: datetime,
                     make_turn: MakeTurn, one_by_one: OneByOne) -> list[Handled]:
    """Each press's outcome, in order."""
    handled: dict[int, Handled] = {}
    prompts = {pid: await tx.prompts.prompt(pid) for pid in {p.answer.prompt_id for p in presses}}
    ours = []
    for i, press in enumerate(presses):
        prompt = prompts[press.answer.prompt_id]
        if prompt is not None and prompt.learner_id is not None:
            handled[i] = await one_by_one(press.event)
        else:
            ours.append(i)
    new = await _first_deliveries(tx, [(i, presses[i].event) for i in ours], now)
    for i in ours:
        if i not in new:
            event = presses[i].event
            assert event.update_id is not None  # an event without an id is always new
            kept = await tx.intake.undelivered(event.person.platform, event.update_id)
            handled[i] = Handled(outbox.decode(kept), Outcome.DUPLICATE)
    turns = await _turns(tx, [(i, presses[i].event) for i in sorted(new)], now, make_turn)
    for prompt_id in {presses[i].answer.prompt_id for i in new}:
        mine = [(i, presses[i], turns[i]) for i in sorted(new) if presses[i].answer.prompt_id == prompt_id]
        handled |= await _answer_prompt(tx, bank, prompts[prompt_id], mine, now)
    return [handled[i] for i in range(len(presses))]


def refused(text: str) -> Handled:
    """A press's refusal: said to the presser alone, and only while the press is fresh."""
    return Handled([Outgoing(text, private=True, fleeting=True)], Outcome.REJECTED)


async def _first_deliveries(tx: UnitOfWork, events: Sequence[tuple[int, ButtonPressed]],
                            now: datetime) -> set[int]:
    """Records the deliveries (one statement per platform); the positions of those not handled
    before, counting an id twice in the batch once."""
    first: dict[tuple[str, str], int] = {}
    new: set[int] = set()
    for i, event in events:
        if event.update_id is None:
            new.add(i)
        else:
            first.setdefault((event.person.platform, event.update_id), i)
    for platform in {p for p, _ in first}:
        ids = [u for p, u in first if p == platform]
        new |= {first[platform, u] for u in await tx.intake.record_all(platform, ids, now)}
    return new


async def _turns(tx: UnitOfWork, events: Sequence[tuple[int, ButtonPressed]], now: datetime,
                 make_turn: MakeTurn) -> dict[int, Turn]:
    """Each presser's turn: members known under their current name are read together; anyone else
    (a newcomer, a new member, a new name) the way every event reads its learner and joins a group."""
    known: dict[tuple[str, str], dict[str, Learner]] = {}
    for chat in {_chat(e) for _, e in events}:
        users = {e.person.user_id for _, e in events if _chat(e) == chat}
        known[chat] = await tx.learners.members(*chat, users)
    turns: dict[int, Turn] = {}
    for i, event in events:
        learner = known[_chat(event)].get(event.person.user_id)
        if learner is not None and learner.display_name == event.person.display_name[:128]:
            turns[i] = make_turn(tx, learner, event)
        else:
            turns[i] = make_turn(tx, await tx.learners.learner(event.person, now, None), event)
            await join(turns[i])
    return turns


async def _answer_prompt(tx: UnitOfWork, bank: Bank, prompt: Prompt | None,
                         presses: Sequence[tuple[int, Press, Turn]], now: datetime) -> dict[int, Handled]:
    """The presses on one group question."""
    if prompt is None or prompt.closed_at is not None:
        return {i: refused(CLOSED) for i, _, _ in presses}
    handled = {i: refused(CLOSED) for i, press, _ in presses
               if _chat(press.event) != (prompt.platform, prompt.chat_id)}
    presses = [p for p in presses if p[0] not in handled]
    stored = bank.get(prompt.question_id)
    if stored is None:  # dropped from the bank since it was asked
        await tx.prompts.close_prompt(prompt.id, now)
        return handled | {i: refused(RETIRED) for i, _, _ in presses}
    assert prompt.closes_at is not None  # every group question has a deadline
    if presses and not await tx.prompts.hold_open(prompt.id):  # closing waits for this transaction
        return handled | {i: refused(TIME_UP) for i, _, _ in presses}
    in_time: list[tuple[int, Press, Turn]] = []
    seen: set[int] = set()
    for i, press, turn in presses:
        if turn.acted_at >= prompt.closes_at:
            handled[i] = refused(TIME_UP)
        elif turn.learner.id in seen:  # pressed twice within one batch
            handled[i] = refused(ANSWERED)
        else:
            seen.add(turn.learner.id)
            in_time.append((i, press, turn))
    if not in_time:
        return handled
    return handled | await _grade(tx, prompt, presented(stored, prompt.choice_order), in_time)


async def _grade(tx: UnitOfWork, prompt: Prompt, question: Question,
                 presses: Sequence[tuple[int, Press, Turn]]) -> dict[int, Handled]:
    """Grades members' first presses on an open question, records the answers that are the first
    from their member, and acknowledges each with its verdict."""
    assert prompt.closes_at is not None
    round_ = await tx.rounds.round(prompt.round_id) if prompt.round_id is not None else None
    position = prompt.round_position or 0
    learner_ids = [turn.learner.id for _, _, turn in presses]
    cards = await tx.answers.cards_for(learner_ids, question.id)
    today = await answers_today(tx, [turn for _, _, turn in presses])
    runs = await tx.rounds.previous_runs(round_.id, position - 1, learner_ids) if round_ is not None else {}
    graded: dict[int, Graded] = {}
    for i, press, turn in presses:
        mode, elapsed, limit = (Mode.GROUP, timedelta(0), None) if round_ is None else (
            Mode.ROUND, max(turn.acted_at - prompt.created_at, timedelta(0)),
            prompt.closes_at - prompt.created_at)
        attempt = attempt_of(turn, question, press.answer.letter, mode, prompt.choice_order,
                             cards.get(turn.learner.id), today.get(turn.learner.id, []),
                             elapsed=elapsed, limit=limit)
        attempt = replace(attempt, run=runs.get(turn.learner.id, 0))
        graded[i] = Graded(turn, attempt, grade(attempt, turn.scheduler))
    recorded = await tx.rounds.add_group_answers(prompt.id, [
        GroupAnswer(g.turn.learner.id, g.attempt.letter, g.verdict.correct, g.turn.acted_at, g.verdict.run,
                    g.verdict.points) for g in graded.values()])
    handled = {i: refused(ANSWERED) for i, g in graded.items() if g.turn.learner.id not in recorded}
    counted = {i: g for i, g in graded.items() if i not in handled}
    await record_all(tx, list(counted.values()))
    count = await tx.rounds.group_answer_count(prompt.id)
    edit = _count_edit(prompt, question, round_, position, count)
    return handled | {i: Handled([_acknowledgement(g), edit], Outcome.APPLIED) for i, g in counted.items()}


def _acknowledgement(graded: Graded) -> Outgoing:
    """The verdict, to the presser alone, as the press's acknowledgement: a round never messages a
    member privately (the reveal says who was right)."""
    verdict = graded.verdict
    return Outgoing(acknowledgement(verdict.correct, verdict.points, verdict.speed, verdict.streak),
                    private=True, fleeting=True)


def _chat(event: ButtonPressed) -> tuple[str, str]:
    return event.chat.address.platform, event.chat.address.chat_id


def _count_edit(prompt: Prompt, question: Question, round_: Round | None, position: int,
                count: int) -> Outgoing:
    """The shared message with its running count: an edit the adapter may merge or skip."""
    header = round_header(round_, position, count) if round_ is not None else group_header(count)
    return Outgoing(question_text(question, header), answer_buttons(prompt.id), replace=True, skippable=True)
