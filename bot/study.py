"""Practice: serving the next question, grading an answer, and the daily session."""

from __future__ import annotations

from bot import payloads
from bot.content import Question
from bot.models import AnswerRecord, Prompt
from bot.outgoing import Choice, Outgoing
from bot.render import answer_buttons, question_message, question_text, verdict_text
from bot.review import retrievability, review
from bot.selection import LearnerView, Pick, pick_next
from bot.turn import Turn

CLOSED = "This question is closed. Send /quiz for a new one."


async def learner_view(turn: Turn) -> LearnerView:
    learner_id = turn.learner.id
    cards = await turn.tx.cards(learner_id)
    today = await turn.tx.answers_since(learner_id, turn.day_start())
    due: list[tuple[str, float]] = []
    later: list[tuple[str, float]] = []
    for card in cards:
        r = retrievability(turn.scheduler, card, turn.now)
        (due if card.due <= turn.now else later).append((card.question_id, r))
    return LearnerView(
        due=due, seen=frozenset(c.question_id for c in cards),
        answered_today=frozenset(a.question_id for a in today),
        last_question=await turn.tx.last_question(learner_id),
        records=await turn.tx.domain_records(learner_id),
        not_due_by_retrievability=[qid for qid, _ in sorted(later, key=lambda x: x[1])],
    )


async def ask(turn: Turn, pick: Pick, daily: bool, domain: int | None, header: str) -> Outgoing:
    group = turn.chat.is_group
    prompt = await turn.tx.open_prompt(
        turn.chat.address.platform, turn.chat.address.chat_id,
        None if group else turn.learner.id, pick.question.id, daily, domain, turn.now,
    )
    if group:
        header = "Group question - everyone answers once"
    elif pick.is_review:
        header += " · review"
    return question_message(pick.question, prompt.id, header)


async def quiz(turn: Turn, domain: int | None) -> Outgoing:
    view = await learner_view(turn)
    pick = pick_next(turn.bank, view, turn.rng, domain)
    if pick is None:
        return Outgoing(f"There are no questions for domain {domain} yet. Try /quiz without a domain.")
    return await ask(turn, pick, daily=False, domain=domain, header="Question")


async def daily(turn: Turn) -> Outgoing:
    """Today's session: due reviews first, then new questions until the daily goal is met."""
    view = await learner_view(turn)
    done = len(await turn.tx.answers_since(turn.learner.id, turn.day_start()))
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
        await turn.tx.close_prompt(prompt.id, turn.now)
        return [Outgoing("That question has been retired from the bank. Send /quiz for a new one.")]
    if prompt.learner_id is None:
        return await _group_answer(turn, prompt, question, letter)
    if not await turn.tx.close_prompt(prompt.id, turn.now):
        return [Outgoing("You have already answered this question.", private=True)]
    await _learn(turn, question, letter == question.answer)
    header = "Daily" if prompt.daily else "Question"
    next_payload = payloads.Next(daily=prompt.daily, domain=None if prompt.daily else prompt.domain)
    return [Outgoing(verdict_text(question, letter, header),
                     (Choice("Next", payloads.encode(next_payload)),), replace=pressed)]


async def _learn(turn: Turn, question: Question, correct: bool) -> None:
    card = await turn.tx.card(turn.learner.id, question.id)
    await turn.tx.save_card(turn.learner.id,
                            review(turn.scheduler, question.id, card, correct, turn.now))
    await turn.tx.record_answer(turn.learner.id, AnswerRecord(
        question.id, question.domain, correct, is_review=card is not None, answered_at=turn.now))


async def _group_answer(turn: Turn, prompt: Prompt, question: Question, letter: str) -> list[Outgoing]:
    correct = letter == question.answer
    if not await turn.tx.add_group_answer(prompt.id, turn.learner.id, letter, correct, turn.now):
        return [Outgoing("You have already answered this one.", private=True)]
    await _learn(turn, question, correct)
    count = await turn.tx.group_answer_count(prompt.id)
    return [
        Outgoing("Correct!" if correct else "Not quite - the answer comes when the round closes.",
                 private=True),
        Outgoing(question_text(question, f"Group question · {count} answered"),
                 answer_buttons(prompt.id), replace=True),
    ]
