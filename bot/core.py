"""StudyBot: the one entry point adapters call. It turns a neutral event into neutral replies.

Every event runs in one transaction: bad input raises BadInput before anything is written, and an
unexpected error rolls the transaction back, is logged with its context, and becomes a short apology.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from fsrs import Scheduler

from bot import outbox, payloads
from bot.account import handlers as account
from bot.batch_queue import BatchQueue
from bot.digest import handlers as digest
from bot.domain.cards import make_scheduler
from bot.domain.domains import Scope, UnknownDomainError, parse_scope, topic_examples
from bot.domain.exam import DOMAINS
from bot.domain.models import Learner
from bot.domain.questions import Bank
from bot.drawings import draw_all
from bot.errors import BadInput, BotError, Closed, NeedsChoice, NotFound
from bot.events import Address, ButtonPressed, Chat, Command, Event, Person
from bot.exam import handlers as examresult
from bot.export import handlers as export
from bot.groupreport import handlers as groupreport
from bot.groups import handlers as groups
from bot.groups import leaderboard
from bot.handled import Handled, Outcome
from bot.inputs.text import quote
from bot.link import handlers as linking
from bot.mock import handlers as mock
from bot.outgoing import Choice, Outgoing
from bot.plan import handlers as studyplan
from bot.ports.clock import Clock
from bot.ports.storage import Store, UnitOfWork
from bot.practice import handlers as study
from bot.reports import handlers as reports
from bot.rounds import handlers as rounds
from bot.rounds import presses
from bot.stats import chart
from bot.stats.handlers import stats, status
from bot.turn import Turn
from bot.welcome.texts import HELP, TIMEZONE_PROMPT, WELCOME, about

log = logging.getLogger(__name__)

# A learner's own study and settings: in a group they get a pointer to the private chat instead.
PERSONAL_COMMANDS = frozenset({"daily", "stats", "mock", "plan", "examdate", "remind", "timezone", "goal",
                               "settings", "forgetme", "examresult", "report", "export", "link",
                               "unlink", "digest"})
# Commands whose adapter must tell whether the sender administers the chat (Command.is_admin).
ADMIN_COMMANDS = frozenset({"groupsettings", "groupreport"})
APOLOGY = "Sorry, something went wrong on our side. Nothing was changed; please try again."
_ANSWER_LETTERS = {"a": "A", "b": "B", "c": "C", "d": "D"}

Handler = Callable[[Turn, tuple[str, ...]], Awaitable[Outgoing | list[Outgoing]]]
Responder = Callable[[Turn, Event], Awaitable[list[Outgoing]]]


class StudyBot:
    def __init__(self, store: Store, bank: Bank, clock: Clock, *, default_timezone: str = "UTC",
                 rng: random.Random | None = None, scheduler: Scheduler | None = None,
                 shuffle_choices: bool = True) -> None:
        self.store, self.bank, self.clock = store, bank, clock
        self.default_timezone = default_timezone
        # Choices are shown in a fresh order each time (not for numeric ones); tests that press a
        # known letter turn it off.
        self.rng = rng or random.Random()
        self.choice_rng = self.rng if shuffle_choices else None
        self.started = clock.now()  # a mock question shown before this was shown by another process
        self.scheduler = scheduler or make_scheduler()
        self._presses = BatchQueue[presses.Press, Handled](self._run_batch,
                                                           workers=store.parallel_transactions)
        self._marks = BatchQueue[tuple[str, str], None](self._mark_delivered)
        self._commands: dict[str, Handler] = {
            "start": _start, "help": _help, "quiz": _quiz, "daily": _daily, "stats": _stats,
            "examdate": account.examdate, "remind": account.remind,
            "timezone": account.timezone, "goal": account.goal, "settings": _settings,
            "about": _about, "forgetme": _forgetme, "leaderboard": leaderboard.command,
            "groupsettings": _groupsettings, "mock": mock.command, "plan": studyplan.command,
            "examresult": examresult.command, "round": rounds.command,
            "report": reports.note, "export": export.command,
            "link": linking.command, "unlink": linking.unlink,
            "groupreport": groupreport.command, "digest": digest.command,
        }

    async def handle(self, event: Event) -> list[Outgoing]:
        """Replies to one event. Never raises: failures become a message and a log line."""
        return (await self.process(event)).replies

    async def process(self, event: Event) -> Handled:
        """handle(), saying how it ended. An event with an `update_id` takes effect once: the id is
        recorded in the event's own transaction, so a redelivery finds it there and does nothing.
        Answer presses in a group join a batch (bot.batch_queue); everything else runs alone."""
        if (answer := _group_answer(event)) is not None:
            assert isinstance(event, ButtonPressed)
            return await self._presses.submit(presses.Press(event, answer))
        return await self._run(event, self._dispatch)

    async def greet(self, person: Person, chat: Chat) -> list[Outgoing]:
        """What opening the chat shows (the console, at every launch): /start's welcome to a newcomer,
        and to a learner already stored "welcome back" with today's status instead of setup again."""
        async with self.store.transaction() as tx:
            known = await tx.learners.find_learner(person.platform, person.user_id) is not None
        return (await self._run(Command(person, chat, "start"),
                                _welcome_back if known else self._dispatch)).replies

    async def _run(self, event: Event, respond: Responder) -> Handled:
        try:
            async with self.store.transaction() as tx:
                handled = await self._apply(tx, event, respond)
        except _Rejected as rejected:
            return Handled([rejected.reply], Outcome.REJECTED)
        except Exception:
            log.exception("failed to handle %r", event)
            return Handled([_apology(event)], Outcome.FAILED)
        return Handled(await draw_all(handled.replies), handled.outcome)  # the database is free again

    async def _run_batch(self, batch: Sequence[presses.Press]) -> list[Handled]:
        """Group answer presses, graded as one set in one transaction (bot.rounds.presses). Should
        the set fail, each press is tried again in a transaction of its own: a bad press fails alone."""
        try:
            async with self.store.transaction() as tx:
                return await presses.answer_all(tx, batch, self.bank, self.clock.now(), self._turn,
                                                lambda event: self._alone(tx, event))
        except Exception:
            if len(batch) == 1:
                log.exception("failed to handle %r", batch[0].event)
                return [Handled([_apology(batch[0].event)], Outcome.FAILED)]
            log.exception("failed to handle a batch of %d presses; trying each alone", len(batch))
            return [(await self._run_batch([press]))[0] for press in batch]

    async def _alone(self, tx: UnitOfWork, event: Event) -> Handled:
        """One event inside a shared transaction, in a savepoint: its refusal undoes it alone."""
        try:
            async with tx.savepoint():
                return await self._apply(tx, event, self._dispatch)
        except _Rejected as rejected:
            return Handled([rejected.reply], Outcome.REJECTED)

    def _turn(self, tx: UnitOfWork, learner: Learner, event: Event) -> Turn:
        return Turn(tx, learner, event.person, event.chat, self.clock.now(),
                    self.default_timezone, self.bank, self.scheduler, self.rng,
                    is_admin=isinstance(event, Command) and event.is_admin,
                    started=self.started, choice_rng=self.choice_rng, made_at=event.made_at)

    async def _apply(self, tx: UnitOfWork, event: Event, respond: Responder) -> Handled:
        """One event's effect inside a transaction; raises _Rejected so the caller rolls it back."""
        if event.update_id is not None and not await tx.intake.record(
                event.person.platform, event.update_id, self.clock.now()):
            undelivered = await tx.intake.undelivered(event.person.platform, event.update_id)
            return Handled(outbox.decode(undelivered), Outcome.DUPLICATE)
        learner = await tx.learners.learner(
            event.person, self.clock.now(), None if event.chat.is_group else event.chat.address.chat_id)
        turn = self._turn(tx, learner, event)
        if event.chat.is_group:
            await groups.join(turn)
        try:
            replies = await respond(turn, event)
            if event.update_id is not None and (kept := outbox.lasting(replies)):
                await tx.intake.keep_replies(event.person.platform, event.update_id, outbox.encode(kept))
            return Handled(replies, Outcome.APPLIED)
        except BotError as refusal:  # the learner's mistake or a race: roll back, say why
            choices = refusal.choices if isinstance(refusal, NeedsChoice) else ()
            pressed = isinstance(event, ButtonPressed)
            reply = Outgoing(str(refusal), choices, private=pressed,
                             fleeting=pressed and event.chat.is_group)
            raise _Rejected(reply) from None

    async def close_due_rounds(self, platform: str | None = None) -> list[tuple[Address, Outgoing]]:
        """Closes group questions and mock exams whose time is up; returns what each posts, with
        where it goes, in posting order: a reveal, and in a round the running top 5 and the next
        question (or the final board); a mock's result.

        Closing is a conditional update, so with several callers (ticks, instances) each question
        is revealed and followed exactly once. `platform` limits it to one platform's chats, so a
        frontend that reveals rounds through its own messenger never closes one it cannot post to.
        """
        await self._presses.drain()  # presses handed in before now were made before any deadline due now
        reveals: list[tuple[Address, Outgoing]] = []
        now = self.clock.now()
        async with self.store.transaction() as tx:
            for prompt in await tx.prompts.due_group_prompts(now):
                if platform is not None and prompt.platform != platform:
                    continue
                if await tx.prompts.close_prompt(prompt.id, now):
                    address = Address(prompt.platform, prompt.chat_id)
                    posts = await rounds.close(tx, self.bank, prompt, now, self.rng, self.choice_rng)
                    reveals += [(address, post) for post in posts]
            reveals += await mock.close_expired(tx, self.bank, now, platform)
        return reveals

    async def next_round_close(self, platform: str) -> datetime | None:
        """When the platform's next group question is due to close (None: none is open)."""
        async with self.store.transaction() as tx:
            return await tx.prompts.next_group_close(platform)

    async def delivered(self, platform: str, update_id: str) -> None:
        """The adapter has sent an update's replies: a later redelivery of it needs none (bot.outbox).
        Marks arriving together are written together (bot.batch_queue)."""
        await self._marks.submit((platform, update_id))

    async def _mark_delivered(self, deliveries: Sequence[tuple[str, str]]) -> list[None]:
        """If the marks cannot be written, a redelivery after a crash would send the replies again:
        logged, not raised (the replies are out)."""
        try:
            async with self.store.transaction() as tx:
                await tx.intake.mark_delivered(deliveries)
        except Exception:
            log.exception("could not mark %d updates' replies delivered", len(deliveries))
        return [None] * len(deliveries)

    async def mark_unreachable(self, platform: str, user_id: str) -> None:
        """The platform refused delivery (bot blocked, DMs closed): stop pushing to this account (a
        linked learner whose pushes go to another account keeps getting them there)."""
        async with self.store.transaction() as tx:
            await tx.link.mark_unreachable(platform, user_id)
        log.info("learner %s:%s marked unreachable", platform, user_id)

    async def _dispatch(self, turn: Turn, event: Event) -> list[Outgoing]:
        if isinstance(event, Command):
            handler = self._commands.get(event.name.lower())
            if handler is None:
                return [Outgoing(f"I don't know /{quote(event.name)}. Send /help for the list of commands.")]
            if turn.chat.is_group and event.name.lower() in PERSONAL_COMMANDS:
                return [Outgoing(f"/{event.name.lower()} is just for you: send it to me in a private chat, "
                                 "where your questions, progress and settings stay yours.",
                                 open_private=True)]
            result = await handler(turn, event.args)
            return result if isinstance(result, list) else [result]
        if isinstance(event, ButtonPressed):
            return await _press(turn, event.payload)
        return await _text(turn, event.text)


def _group_answer(event: Event) -> payloads.Answer | None:
    if not (isinstance(event, ButtonPressed) and event.chat.is_group):
        return None
    try:
        payload = payloads.decode(event.payload)
    except payloads.BadPayload:
        return None
    return payload if isinstance(payload, payloads.Answer) else None


def _apology(event: Event) -> Outgoing:
    pressed = isinstance(event, ButtonPressed)
    return Outgoing(APOLOGY, private=pressed, fleeting=pressed and event.chat.is_group)


class _Rejected(Exception):
    """Bad input: the transaction is rolled back so nothing changes, and the reply is still sent."""

    def __init__(self, reply: Outgoing) -> None:
        super().__init__(reply.text)
        self.reply = reply


async def _start(turn: Turn, _args: tuple[str, ...]) -> list[Outgoing]:
    reminders = tuple(Choice(f"Remind me {t}", payloads.encode(payloads.SetReminder(t)))
                      for t in ("07:00", "12:30", "19:00"))
    zones = tuple(Choice(z.split("/")[-1].replace("_", " "), payloads.encode(payloads.SetTimezone(z)))
                  for z in payloads.TIMEZONE_PRESETS)
    quiz = Choice("Quiz me now", payloads.encode(payloads.Next(daily=False)))
    return [Outgoing(WELCOME, (quiz, *reminders)), Outgoing(TIMEZONE_PROMPT, zones)]


async def _welcome_back(turn: Turn, _event: Event) -> list[Outgoing]:
    session = Choice("Start today's session", payloads.encode(payloads.Next(daily=True)))
    return [Outgoing(f"Welcome back, {turn.person.display_name}!\n{await status(turn)}", (session,))]


async def _help(_turn: Turn, _args: tuple[str, ...]) -> Outgoing:
    return Outgoing(HELP)


async def _about(turn: Turn, _args: tuple[str, ...]) -> Outgoing:
    return Outgoing(about(turn.bank))


async def _settings(turn: Turn, _args: tuple[str, ...]) -> Outgoing:
    return Outgoing(f"{account.settings_text(turn)}\n{await linking.settings_line(turn)}", private=True)


async def _stats(turn: Turn, _args: tuple[str, ...]) -> Outgoing:
    return Outgoing(await stats(turn), drawing=await chart.stats_drawing(turn), private=True)


async def _groupsettings(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    return await groups.settings(turn, args, turn.is_admin)


async def _forgetme(_turn: Turn, _args: tuple[str, ...]) -> Outgoing:
    return account.forget_confirmation()


async def _quiz(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    return await study.quiz(turn, _scope(turn, " ".join(args)) if args else Scope())


def _scope(turn: Turn, words: str) -> Scope:
    try:
        return parse_scope(words, turn.bank.topics)
    except UnknownDomainError:
        domains = ", ".join(f"{d.number} {d.short.lower()}" for d in DOMAINS)
        topics = ", ".join(topic_examples(turn.bank.topics))
        raise BadInput(f"{quote(words)} is not a domain or a topic I know. Domains: {domains}. Topic "
                       f"words such as: {topics}. Example: /quiz hipaa or /quiz 5") from None


async def _daily(turn: Turn, _args: tuple[str, ...]) -> Outgoing:
    return await study.daily(turn)


async def _press(turn: Turn, data: str) -> list[Outgoing]:
    try:
        payload = payloads.decode(data)
    except payloads.BadPayload:
        log.warning("rejected button payload %r from %s", data, turn.person)
        raise NotFound("That button is no longer valid. Send /help to carry on.") from None
    match payload:
        case payloads.Answer(prompt_id, letter):
            # Closed as it is read; each refusal below rolls the close back.
            prompt = await turn.tx.prompts.take_prompt(prompt_id, turn.now)
            address = turn.chat.address
            if prompt is None or (prompt.platform, prompt.chat_id) != (address.platform, address.chat_id):
                raise Closed(study.CLOSED)
            if prompt.learner_id not in (None, turn.learner.id):
                raise Closed("This question was asked of someone else. Send /quiz for your own.")
            return await study.answer(turn, prompt, letter, pressed=True)
        case payloads.Next(daily=True):
            return [await study.daily(turn)]
        case payloads.Next(topic=str(word)):
            return [await study.quiz(turn, _scope(turn, word))]
        case payloads.Next(domain=domain):
            return [await study.quiz(turn, Scope(domain=domain))]
        case payloads.ForgetMe(confirmed):
            return [await account.forget(turn, confirmed)]
        case payloads.SetTimezone(zone):
            return [await account.set_timezone(turn, zone)]
        case payloads.SetReminder(hhmm):
            return [await account.remind(turn, (hhmm,))]
        case payloads.ExamResult(passed, day):
            if day is None:  # "How did it go?": the day is the exam date
                return [await examresult.command(turn, ("passed" if passed else "failed",))]
            return [await examresult.record(turn, passed, day)]
        case payloads.ChooseZone(zone):
            return [await account.set_timezone(turn, zone)]
        case payloads.SetExamDate(day):
            return [await account.set_exam_date(turn, day)]
        case payloads.MockStart(full):
            return await mock.command(turn, ("full" if full else "sprint",))
        case payloads.MockAnswer() as answer:
            return await mock.press_answer(turn, answer)
        case payloads.MockReview() as review:
            return await mock.press_review(turn, review)
        case payloads.Report() as report:
            return [await reports.press(turn, report)]
        case payloads.PushTo(platform):
            return [await linking.push_to(turn, platform)]
        case payloads.Unlink(confirmed):
            return [await linking.confirm_unlink(turn, confirmed)]


async def _text(turn: Turn, text: str) -> list[Outgoing]:
    if turn.chat.is_group:
        return []  # free text in a group is conversation, not meant for the bot
    letter = _ANSWER_LETTERS.get(text.strip().lower().rstrip(".)"))
    address = turn.chat.address
    if letter is None:
        waiting = (await turn.tx.mocks.running_mock(turn.learner.id) is not None
                   or await turn.tx.prompts.latest_open_prompt(address.platform, address.chat_id,
                                                               turn.learner.id) is not None)
        if waiting:
            return [Outgoing("To answer, send A, B, C or D (or press a button under the question); "
                             "/quiz skips to a new one.")]
        return [Outgoing("Send /quiz for a question, or /help for everything I can do.")]
    in_mock = await mock.typed_answer(turn, letter)
    if in_mock is not None:
        return in_mock
    prompt = await turn.tx.prompts.latest_open_prompt(address.platform, address.chat_id, turn.learner.id)
    if prompt is None:
        return [Outgoing("There is no open question to answer. Send /quiz for one.")]
    if not await turn.tx.prompts.close_prompt(prompt.id, turn.now):
        raise Closed(study.ANSWERED)
    return await study.answer(turn, prompt, letter, pressed=False)
