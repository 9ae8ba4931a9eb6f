"""Live group rounds (`/quiz` or `/round N` in a group): N questions in a row, each open for the
group's round time, one answer per member, a speed and an answer-streak bonus, the running top 5
after each question and a final board. The scheduled daily group question is answered here too: a
group question outside any round, without bonuses.

A round lives in the database. When a question's time is up, whoever closes it (a conditional update,
so exactly one caller across ticks, instances and restarts) posts its reveal and opens the next
question; an answer holds its question open until it is recorded, so none is lost to the reveal.
Members' presses are graded in sets (bot.rounds.presses).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bot.domain.models import Prompt, Round
from bot.domain.questions import Bank, Question, new_order, presented
from bot.domain.selection import LearnerView, pick_next
from bot.groups.handlers import current_group
from bot.inputs.text import whole_number
from bot.outgoing import Outgoing
from bot.ports.storage import UnitOfWork
from bot.practice.texts import answer_buttons, question_text
from bot.rounds.texts import (
    final_board,
    reveal,
    round_header,
    running_board,
)
from bot.turn import Turn

DEFAULT_QUESTIONS = 5
QUESTIONS = (1, 20)
# A round whose question closed longer ago than this (the bot was down) ends with its board instead
# of posting more questions into a conversation that has moved on.
RESUME_WITHIN = timedelta(minutes=10)


async def command(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    """`/round [N]`."""
    if not turn.chat.is_group:
        return Outgoing("Rounds are played in a group chat: add me to your study group and send /round "
                        "there. On your own, /daily or /quiz.")
    low, high = QUESTIONS
    refusal = f"A round is {low}-{high} questions (default {DEFAULT_QUESTIONS}). Example: /round 10"
    total = whole_number(" ".join(args), low, high, refusal) if args else DEFAULT_QUESTIONS
    return await start(turn, total, None)


async def start(turn: Turn, total: int, domain: int | None) -> Outgoing:
    group = await current_group(turn)
    question = _pick(turn.bank, set(), domain, turn.rng)
    if question is None:
        return Outgoing(f"There are no questions for domain {domain} yet. Try /quiz without a domain.")
    address = turn.chat.address
    round_ = await turn.tx.rounds.start_round(address.platform, address.chat_id, total, group.round_seconds,
                                       domain, turn.now)
    if round_ is None:
        return Outgoing("A round is still open in this chat: answer its question first.")
    return await _ask(turn.tx, round_, 1, question, turn.now, turn.choice_rng)


async def close(tx: UnitOfWork, bank: Bank, prompt: Prompt, now: datetime,
                rng: random.Random, choice_rng: random.Random | None) -> list[Outgoing]:
    """What a group question posts once its caller has closed it: the reveal; in a round then the
    running top 5 and the next question, or after the last question the final board."""
    stored = bank.get(prompt.question_id)
    posts = [reveal(presented(stored, prompt.choice_order), await tx.rounds.group_results(prompt.id))] \
        if stored is not None else []
    if prompt.round_id is None:
        return posts
    round_ = await tx.rounds.round(prompt.round_id)
    position = prompt.round_position or 0
    standings = await tx.rounds.round_standings(round_.id)
    assert prompt.closes_at is not None
    if position < round_.total and now - prompt.closes_at <= RESUME_WITHIN:
        following = _pick(bank, await tx.rounds.round_questions(round_.id), round_.domain, rng)
        if following is not None:
            return [*posts, running_board(standings, position, round_.total),
                    await _ask(tx, round_, position + 1, following, now, choice_rng)]
    await tx.rounds.finish_round(round_.id, now)
    return [*posts, final_board(standings, position, round_.total)]


async def _ask(tx: UnitOfWork, round_: Round, position: int, question: Question,
               now: datetime, choice_rng: random.Random | None) -> Outgoing:
    order = new_order(question, choice_rng)
    prompt = await tx.prompts.open_prompt(
        round_.platform, round_.chat_id, None, question.id, False, round_.domain, now,
        closes_at=now + timedelta(seconds=round_.seconds), round_id=round_.id, round_position=position,
        choice_order=order, question_version=question.version)
    return Outgoing(question_text(presented(question, order), round_header(round_, position, 0)),
                    answer_buttons(prompt.id))


def _pick(bank: Bank, asked: set[str], domain: int | None, rng: random.Random) -> Question | None:
    """A question for the whole group: by blueprint weight, none twice in a round while others are
    left."""
    seen = frozenset(asked)
    pick = pick_next(bank, LearnerView(due=(), seen=seen, answered_today=seen, last_question=None),
                     rng, domain)
    return pick.question if pick is not None else None
