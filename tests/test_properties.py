"""Property tests: every command fed every kind of argument, every button payload mutated at random.

Whatever comes in, the core answers with a reply (never the apology, never a traceback), and a
refusal is one clear line that changed nothing stored.
"""

from __future__ import annotations

import asyncio
import random
import string
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import payloads
from bot.core import APOLOGY, StudyBot
from bot.domain.cards import make_scheduler
from bot.domain.models import ReportKind
from bot.domain.questions import Bank
from bot.events import Address, ButtonPressed, Chat, Command, Event, Person
from bot.handled import Handled, Outcome
from bot.ports.clock import FixedClock
from tests.conftest import make_question
from tests.memory_store import MemoryStore

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
BANK = Bank([make_question(d, n) for d in range(1, 9) for n in range(1, 4)])
ME = Person("test", "u1", "User One")
PRIVATE = Chat(Address("test", "u1"), is_group=False)
GROUP = Chat(Address("test", "-9"), is_group=True, title="Study group")

ARGUMENTS = st.one_of(
    st.text(alphabet=st.characters(categories=["Nd", "No"]), max_size=8),  # Unicode digits, lookalikes
    st.integers(min_value=1, max_value=5000).map(lambda n: "9" * n),  # huge numbers, up to 5,000 digits
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs"]), max_size=6),  # control, format
    st.just(""),
    st.text(min_size=5000, max_size=5000, alphabet="x7 "),  # 5,000 characters
    st.text(max_size=40),  # mixed scripts, anything
    st.sampled_from(["7pm", "2/30/2027", "EST", "hipaa", "stop", "full", "passed", "clear", "off",
                     "round", "time", "timezone", "-1", "0", "21", "3/4/2027", "New York"]),
)
SAMPLE_PAYLOADS = [payloads.encode(p) for p in (
    payloads.Answer(1, "B"), payloads.Next(daily=True), payloads.Next(daily=False, domain=4),
    payloads.Next(daily=False, topic="hipaa"), payloads.ForgetMe(False), payloads.SetTimezone("UTC"),
    payloads.ChooseZone("America/Chicago"), payloads.SetExamDate(date(2026, 9, 1)),
    payloads.SetReminder("19:00"), payloads.ExamResult(False), payloads.ExamResult(True, date(2026, 1, 5)),
    payloads.MockStart(False), payloads.MockAnswer(1, 0, "A"), payloads.MockReview(1, 0),
    payloads.Report("d1-0001", 1), payloads.Report("d1-0001", 1, ReportKind.TYPO))]


def fresh_bot() -> tuple[StudyBot, MemoryStore]:
    store = MemoryStore()
    bot = StudyBot(store, BANK, FixedClock(NOW), rng=random.Random(5), scheduler=make_scheduler(fuzz=False))
    return bot, store


async def exchange(events: list[Event]) -> list[tuple[Event, Handled, bool]]:
    """Runs a learner's setup, then each event; (event, how it was handled, whether storage changed)."""
    bot, store = fresh_bot()
    for setup in (Command(ME, PRIVATE, "start"), Command(ME, PRIVATE, "quiz"), Command(ME, GROUP, "help")):
        await bot.process(setup)
    seen = []
    for event in events:
        before = store._tables.snapshot()
        handled = await bot.process(event)
        seen.append((event, handled, store._tables != before))
    return seen


def assert_clear(event: Event, handled: Handled, changed: bool) -> None:
    assert handled.outcome is not Outcome.FAILED, event
    assert all(APOLOGY not in reply.text and reply.text.strip() for reply in handled.replies), event
    if handled.outcome is Outcome.REJECTED:
        [reply] = handled.replies
        assert "\n" not in reply.text and len(reply.text) <= 600, (event, reply.text)
        assert not changed, event


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(fresh_bot()[0]._commands)), args=st.lists(ARGUMENTS, max_size=3),
       in_group=st.booleans())
def test_every_command_with_any_argument_gets_a_clear_answer(name: str, args: list[str],
                                                             in_group: bool) -> None:
    event = Command(ME, GROUP if in_group else PRIVATE, name, tuple(args), is_admin=True)
    for seen in asyncio.run(exchange([event])):
        assert_clear(*seen)


def mutate(data: str, rng: random.Random) -> str:
    chars = list(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.choice(("replace", "insert", "delete", "truncate", "digit"))
        at = rng.randrange(len(chars) + 1)
        if op == "replace" and chars:
            chars[min(at, len(chars) - 1)] = rng.choice(string.printable + "\u00b2\uff15\u0663")
        elif op == "insert":
            chars.insert(at, rng.choice(string.printable + "|\u00b2"))
        elif op == "delete" and chars:
            del chars[min(at, len(chars) - 1)]
        elif op == "truncate":
            chars = chars[:at]
        elif op == "digit":
            chars.insert(at, str(rng.randint(0, 10**30)))
    return "".join(chars)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=st.sampled_from(SAMPLE_PAYLOADS), seed=st.integers(0, 2**32), in_group=st.booleans())
def test_every_mutated_button_payload_gets_a_clear_answer(payload: str, seed: int, in_group: bool) -> None:
    pressed = mutate(payload, random.Random(seed))
    event = ButtonPressed(ME, GROUP if in_group else PRIVATE, pressed)
    for seen in asyncio.run(exchange([event])):
        assert_clear(*seen)


def test_the_oracle_tells_a_refusal_from_a_change() -> None:
    """The properties above rest on these two readings of an exchange."""
    refused, applied = asyncio.run(exchange([Command(ME, PRIVATE, "goal", ("\u00b2",)),
                                             Command(ME, PRIVATE, "goal", ("5",))]))
    assert refused[1].outcome is Outcome.REJECTED and not refused[2]
    assert applied[1].outcome is Outcome.APPLIED and applied[2]
