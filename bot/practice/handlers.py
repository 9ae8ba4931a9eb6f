"""Practice: serving the next question, grading an answer, and the daily session."""

from __future__ import annotations

from bot import payloads
from bot.domain.cards import retrievability
from bot.domain.domains import Scope
from bot.domain.grading import Mode
from bot.domain.models import CardState, Prompt
from bot.domain.questions import new_order, presented
from bot.domain.selection import LearnerView, Pick, pick_next
from bot.domain.streaks import as_of
from bot.outgoing import Choice, Outgoing
from bot.practice.learning import answered_today, learn
from bot.practice.texts import question_message, verdict_text
from bot.reports.handlers import first_try_line, report_button
from bot.rounds import handlers as rounds
from bot.turn import Turn

CLOSED = "This question is closed. Send /quiz for a new one."
RETIRED = "That question has been retired from the bank. Send /quiz for a new one."
ANSWERED = "You have already answered this question."


async def learner_view(turn: Turn) -> LearnerView:
    learner_id = turn.learner.id
    if learner_id in turn.tx.new_learner_ids:
        return LearnerView(due=(), seen=frozenset(), answered_today=frozenset(), last_question=None)
    cards = [c for c in await turn.tx.answers.cards(learner_id) if _current(turn, c)]
    today = await turn.tx.answers.answers_since(learner_id, turn.day_start())
    due: list[tuple[str, float]] = []
    later: list[tuple[str, float]] = []
    for card in cards:
        r = retrievability(turn.scheduler, card, turn.now)
        (due if card.due <= turn.now else later).append((card.question_id, r))
    return LearnerView(
        due=due, seen=frozenset(c.question_id for c in cards),
        answered_today=frozenset(a.question_id for a in today),
        # The latest answer today is the latest of all; only a learner with none today needs a look.
        last_question=today[-1].question_id if today else await turn.tx.answers.last_question(learner_id),
        records=await turn.tx.answers.domain_records(learner_id),
        not_due_by_retrievability=[qid for qid, _ in sorted(later, key=lambda x: x[1])],
    )


def _current(turn: Turn, card: CardState) -> bool:
    """False for a card learned on an earlier version of its question: that question is new again."""
    question = turn.bank.get(card.question_id)
    return question is None or (card.question_version or 1) >= question.version


async def ask(turn: Turn, pick: Pick, daily: bool, scope: Scope, header: str) -> Outgoing:
    """Posts the picked question with its choices in a fresh order (kept on the prompt)."""
    order = new_order(pick.question, turn.choice_rng)
    prompt = await turn.tx.prompts.open_prompt(
        turn.chat.address.platform, turn.chat.address.chat_id, turn.learner.id,
        pick.question.id, daily, scope.domain, turn.now, choice_order=order, scope_word=scope.word,
        question_version=pick.question.version,
    )
    if pick.is_review:
        header += " · review"
    return question_message(presented(pick.question, order), prompt.id, header)


async def quiz(turn: Turn, scope: Scope) -> Outgoing:
    if turn.chat.is_group:
        return await rounds.start(turn, rounds.DEFAULT_QUESTIONS, scope.domain)
    view = await learner_view(turn)
    pick = pick_next(turn.bank, view, turn.rng, scope.domain, scope.topics)
    if pick is None:
        return Outgoing("There are no questions there yet. Try /quiz without a domain.")
    return await ask(turn, pick, daily=False, scope=scope, header="Question")


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
    header = f"Daily {done + 1}/{goal}" if done < goal else f"Daily · goal met ({goal}/{goal}) · a review due"
    return await ask(turn, pick, daily=True, scope=Scope(), header=header)


def _goal_line(turn: Turn, done: int) -> str | None:
    """The small reward when this answer, the day's `done`-th, meets the day's goal."""
    goal = turn.learner.daily_goal
    if done != goal:
        return None
    days = as_of(turn.learner.streak, turn.today).days
    return (f"\nDaily goal met: {goal}/{goal}. Streak: {days} day{'s' if days != 1 else ''}. Keep going "
            "with Next, or rest: tomorrow's session will be waiting.")


async def answer(turn: Turn, prompt: Prompt, letter: str, pressed: bool) -> list[Outgoing]:
    """Grades an answer to a prompt in this chat; the caller has checked it is ours and has closed
    it (a double answer loses there)."""
    assert prompt.learner_id is not None, "group questions are answered in bot.rounds.presses"
    stored = turn.bank.get(prompt.question_id)
    if stored is None:  # dropped from the bank since it was asked
        return [Outgoing(RETIRED)]
    question = presented(stored, prompt.choice_order)
    done = await learn(turn, question, letter, Mode.PRACTICE, prompt.choice_order)
    header = "Daily" if prompt.daily else "Question"
    next_payload = payloads.Next(daily=prompt.daily, domain=None if prompt.daily else prompt.domain,
                                 topic=None if prompt.daily else prompt.scope_word)
    text = "\n".join(line for line in (verdict_text(question, letter, header),
                                         await first_try_line(turn, stored), _goal_line(turn, done))
                     if line)
    return [Outgoing(text, (Choice("Next", payloads.encode(next_payload)), report_button(stored)),
                     replace=pressed)]
