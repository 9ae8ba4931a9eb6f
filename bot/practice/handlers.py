"""Practice: serving the next question, grading an answer, and the daily session."""

from __future__ import annotations

from bot import payloads
from bot.domain.cards import retrievability
from bot.domain.grading import Mode
from bot.domain.models import Prompt
from bot.domain.selection import LearnerView, Pick, pick_next
from bot.errors import Closed
from bot.outgoing import Choice, Outgoing
from bot.practice.learning import answered_today, learn
from bot.practice.texts import question_message, verdict_text
from bot.rounds import handlers as rounds
from bot.turn import Turn

CLOSED = "This question is closed. Send /quiz for a new one."


async def learner_view(turn: Turn) -> LearnerView:
    learner_id = turn.learner.id
    if learner_id in turn.tx.new_learner_ids:
        return LearnerView(due=(), seen=frozenset(), answered_today=frozenset(), last_question=None)
    cards = await turn.tx.answers.cards(learner_id)
    today = await turn.tx.answers.answers_since(learner_id, turn.day_start())
    due: list[tuple[str, float]] = []
    later: list[tuple[str, float]] = []
    for card in cards:
        r = retrievability(turn.scheduler, card, turn.now)
        (due if card.due <= turn.now else later).append((card.question_id, r))
    return LearnerView(
        due=due, seen=frozenset(c.question_id for c in cards),
        answered_today=frozenset(a.question_id for a in today),
        last_question=await turn.tx.answers.last_question(learner_id),
        records=await turn.tx.answers.domain_records(learner_id),
        not_due_by_retrievability=[qid for qid, _ in sorted(later, key=lambda x: x[1])],
    )


async def ask(turn: Turn, pick: Pick, daily: bool, domain: int | None, header: str) -> Outgoing:
    prompt = await turn.tx.prompts.open_prompt(
        turn.chat.address.platform, turn.chat.address.chat_id, turn.learner.id,
        pick.question.id, daily, domain, turn.now,
    )
    if pick.is_review:
        header += " · review"
    return question_message(pick.question, prompt.id, header)


async def quiz(turn: Turn, domain: int | None) -> Outgoing:
    if turn.chat.is_group:
        return await rounds.start(turn, rounds.DEFAULT_QUESTIONS, domain)
    view = await learner_view(turn)
    pick = pick_next(turn.bank, view, turn.rng, domain)
    if pick is None:
        return Outgoing(f"There are no questions for domain {domain} yet. Try /quiz without a domain.")
    return await ask(turn, pick, daily=False, domain=domain, header="Question")


async def daily(turn: Turn) -> Outgoing:
    """Today's session: due reviews first, then new questions until the daily goal is met."""
    view = await learner_view(turn)
    done = await answered_today(turn)
    goal = turn.learner.daily_goal
    pick = pick_next(turn.bank, view, turn.rng)
    due_left = sum(1 for qid, _ in view.due if qid not in view.answered_today)
    if pick is None or (done >= goal and not (pick.is_review and due_left)):
        return Outgoing(
            f"Daily goal done: {done}/{goal} today, no reviews waiting. "
            "Come back tomorrow, or keep going with /quiz.",
            (Choice("Keep going", payloads.encode(payloads.Next(daily=False))),),
        )
    return await ask(turn, pick, daily=True, domain=None, header=f"Daily {done + 1}/{max(goal, done + 1)}")


async def answer(turn: Turn, prompt: Prompt, letter: str, pressed: bool) -> list[Outgoing]:
    """Grades an answer to an open prompt in this chat; the prompt is already checked to be ours."""
    question = turn.bank.get(prompt.question_id)
    if question is None:  # dropped from the bank since it was asked
        await turn.tx.prompts.close_prompt(prompt.id, turn.now)
        return [Outgoing("That question has been retired from the bank. Send /quiz for a new one.")]
    if prompt.learner_id is None:
        return await rounds.answer(turn, prompt, question, letter)
    if not await turn.tx.prompts.close_prompt(prompt.id, turn.now):
        raise Closed("You have already answered this question.")
    await learn(turn, question, letter, Mode.PRACTICE)
    header = "Daily" if prompt.daily else "Question"
    next_payload = payloads.Next(daily=prompt.daily, domain=None if prompt.daily else prompt.domain)
    return [Outgoing(verdict_text(question, letter, header),
                     (Choice("Next", payloads.encode(next_payload)),), replace=pressed)]
