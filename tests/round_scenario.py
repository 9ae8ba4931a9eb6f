"""A live round in a big, busy group, played against the fake platforms: the scenario behind
benchmarks/round_at_scale.py and its small version in the suite (tests/telegram/test_round_at_scale.py,
tests/discord/test_round_at_scale.py).

Telegram: a group of `members` (half never opened a private chat with the bot, so Telegram refuses to
message them), one round question, `presses` members pressing an answer at random instants spread
over `window` seconds that end `margin` seconds before the question closes, one 429 on
answerCallbackQuery and on editMessageText in the middle of the burst, and the fake Bot API holding
the bot to Telegram's 20 messages a minute per group. Discord: the same presses in a server, through
the fake gateway. What is measured is what the members see.
"""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from adapters.discord_bot.buttons import PREFIX
from adapters.discord_bot.frontend import DiscordConfig, DiscordFrontend
from adapters.telegram import TelegramConfig, TelegramFrontend
from bot import payloads
from bot.core import StudyBot
from bot.domain.questions import Bank
from bot.events import Person
from bot.ports.clock import SystemClock
from bot.ports.storage import Store
from tests.discord.fake_discord import CHANNEL_ID, GUILD_ID, TOKEN, FakeDiscord, Message, user
from tests.telegram.fake_api import Call, FakeBotApi, Json

GROUP = -100_777
ADMIN = 1
FIRST_MEMBER = 10_000
# Runs the bot against a fake platform for the length of the block.
Runner = Callable[[StudyBot, "TelegramConfig | DiscordConfig"], AbstractAsyncContextManager[None]]
_REVEAL_COUNT = re.compile(r"\((\d+) of (\d+)\)")
_ANSWER = re.compile(r"^Answer: ([A-D])\.", re.MULTILINE)
_RIGHT = re.compile(r"^Right \(\d+ of \d+\): (.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Scenario:
    members: int  # in the group, all of whom used the bot there before
    presses: int  # members pressing an answer, one each
    window: float  # seconds over which the presses come
    margin: float  # seconds between the last press and the close
    round_seconds: int  # the question's time


@dataclass
class RoundOutcome:
    presses: int
    counted: int  # the reveal's "n" in "(k of n)"
    names_match: bool  # the reveal's names are exactly the members who pressed the key
    refused: int  # presses refused ("time is up", "closed", ...): all were made before the close
    ack_p50: float  # seconds from a press to its acknowledgement (Discord: to its verdict)
    ack_p99: float
    acks_over_1s: int
    verdicts: int  # acknowledgements that carried the verdict
    foreign_posts: int  # group posts between the question and its reveal that are not the round's own
    private_messages: int  # messages the presses caused in private chats
    reveal_delay: float  # seconds from the question's close to its reveal
    batches: int | None  # transactions the presses took (bot.batch_queue); None: the bot ran elsewhere

    def lines(self) -> list[str]:
        return [
            f"presses {self.presses}, counted {self.counted}, names match {self.names_match}, "
            f"refused {self.refused}",
            f"acknowledgement p50 {self.ack_p50 * 1000:.0f} ms, p99 {self.ack_p99 * 1000:.0f} ms, "
            f"over 1 s {self.acks_over_1s}, with verdict {self.verdicts}",
            f"group posts not the round's own {self.foreign_posts}, private messages {self.private_messages}",
            f"reveal {self.reveal_delay:.2f} s after the close"
            + (f"; presses took {self.batches} transactions" if self.batches is not None else ""),
        ]


# The suite's version: 50 presses over the 4 s ending 2 s before a 10-second question closes.
SMALL = Scenario(members=400, presses=50, window=4.0, margin=2.0, round_seconds=10)


def assert_small_round_held(outcome: RoundOutcome) -> None:
    """Every press made before the close counts exactly once and is acknowledged with its verdict
    within a second (but the one whose acknowledgement the injected 429, retry after 1 s, answered:
    with 50 presses that one is the p99); the group sees nothing but the round's own posts, nobody is
    messaged privately, and the reveal follows the close within 2 seconds."""
    presses = SMALL.presses
    assert outcome.refused == 0, outcome
    assert outcome.counted == presses and outcome.names_match, outcome
    assert outcome.verdicts == presses and outcome.acks_over_1s <= 1 and outcome.ack_p50 <= 0.5, outcome
    assert outcome.foreign_posts == 0 and outcome.private_messages == 0, outcome
    assert 0 < outcome.reveal_delay <= 2.0, outcome


async def add_members(store: Store, platform: str, chat_id: str, ids: range, round_seconds: int,
                      now: datetime) -> None:
    """Members who used the bot in the group before (so the group's tables are as big as its size),
    and the group's round length."""
    async with store.transaction() as tx:
        group, _ = await tx.groups.group(platform, chat_id, "Evening class", now)
        await tx.groups.update_group(group, round_seconds=round_seconds)
        for member in ids:
            learner = await tx.learners.learner(Person(platform, str(member), f"User {member}"), now, None)
            await tx.groups.join_group(group.platform, group.chat_id, learner.id, now)


def make_core(store: Store, bank: Bank) -> StudyBot:
    return StudyBot(store, bank, SystemClock(), rng=random.Random(5))


class BatchCounter:
    """Counts the core's press batches (one transaction each), when the bot runs in this process."""

    def __init__(self, core: StudyBot) -> None:
        self.count = 0
        run = core._run_batch

        async def counted(events):  # type: ignore[no-untyped-def]
            self.count += 1
            return await run(events)

        core._presses._run_batch = counted


@asynccontextmanager
async def in_process(core: StudyBot, config: TelegramConfig | DiscordConfig) -> AsyncIterator[None]:
    """The bot under test in this process, beside the fake (the suite's way)."""
    frontend = (TelegramFrontend(core, config) if isinstance(config, TelegramConfig)
                else DiscordFrontend(core, config))
    await frontend.start()
    try:
        yield
    finally:
        await frontend.stop()


async def telegram_round(core: StudyBot, scenario: Scenario, run: Runner = in_process) -> RoundOutcome:
    """`run` runs the bot against the fake; `core` sets up the group (and is the bot in process)."""
    batches = BatchCounter(core)
    loop = asyncio.get_running_loop()
    wall_to_loop = loop.time() - time.time()
    async with FakeBotApi(group_messages_per_minute=20) as api:
        admin = api.user(ADMIN, "Organiser")
        api.group(GROUP, "Evening class", admins=(ADMIN,))
        people = [api.user(FIRST_MEMBER + i, f"User {FIRST_MEMBER + i}") for i in range(scenario.members)]
        api.blocked.update(p["id"] for p in people[::2])  # half never opened a private chat
        await add_members(core.store, "telegram", str(GROUP), _member_ids(scenario), scenario.round_seconds,
                          core.clock.now())
        async with run(core, TelegramConfig(api.token, base_url=api.base_url, poll_timeout=1.0)):
            mark = api.mark()
            api.say(admin, "/round 1", chat_id=GROUP)
            [question] = await api.wait("sendMessage", since=mark, chat_id=GROUP)
            closes = await _closes_at(core, question.data("A"))
            close_at = closes.timestamp() + wall_to_loop
            pressed_at, labels = await _press_all(
                loop, random.Random(3), people[:scenario.presses], *_press_window(scenario, close_at),
                lambda person, label: api.query_of(api.press(person, question, label)),
                midway=lambda: _flood_once(api))
            reveal = await _reveal(api, question, close_at + 30)
    acks = {c.params["callback_query_id"]: c for c in api.made("answerCallbackQuery")}
    delays = [acks[q].at - at for q, at in pressed_at.items() if q in acks]
    texts = [acks[q].params.get("text", "") for q in pressed_at if q in acks]
    posts = [c for c in api.calls if c.chat_id == GROUP and c.method.startswith("send")
             and question.at < c.at < reveal.at]
    privately = [c for c in api.calls[mark:] if c.method.startswith("send") and (c.chat_id or 0) > 0]
    names = {f"User {FIRST_MEMBER + i}" for i, label in enumerate(labels) if label == _key(reveal.text)}
    return _outcome(scenario.presses, reveal.text, names, texts, delays, len(posts), len(privately),
                    reveal.at - close_at, batches.count or None)


async def discord_round(core: StudyBot, fake: FakeDiscord, scenario: Scenario,
                        run: Runner = in_process) -> RoundOutcome:
    """`fake` is started by the caller, as the test fixtures and the benchmark each do it."""
    batches = BatchCounter(core)
    loop = asyncio.get_running_loop()
    wall_to_loop = loop.time() - time.time()
    chat = f"guild:{GUILD_ID}"
    await add_members(core.store, "discord", chat, _member_ids(scenario), scenario.round_seconds,
                      core.clock.now())
    people = [user(FIRST_MEMBER + i, f"User {FIRST_MEMBER + i}") for i in range(scenario.members)]
    async with run(core, DiscordConfig(TOKEN, None, fake.api_url, fake.gateway_url)):
        await fake.connected()
        exchange = await fake.slash(user(ADMIN, "Organiser"), "round", [{"name": "questions", "type": 4,
                                                                         "value": 1}], in_guild=True)
        question = await fake.reply(exchange)
        closes = await _closes_at(core, question.buttons["A"].removeprefix(PREFIX))
        close_at = closes.timestamp() + wall_to_loop

        async def press(person: dict[str, str], label: str) -> str:
            return (await fake.press(person, question, label)).token

        pressed_at, labels = await _press_all(loop, random.Random(3), people[:scenario.presses],
                                              *_press_window(scenario, close_at), press)
        reveal = await fake.until(lambda: _discord_reveal(fake, question), within=close_at + 30 - loop.time())
        revealed = loop.time()
        await fake.until(lambda: all(fake.exchanges[t].followups for t in pressed_at), within=10)
    verdicts = {t: fake.exchanges[t] for t in pressed_at}
    delays = [v.followed_at - pressed_at[t] for t, v in verdicts.items() if v.followed_at is not None]
    texts = [v.followups[0].text if v.followups else "" for v in verdicts.values()]
    names = {f"User {FIRST_MEMBER + i}" for i, label in enumerate(labels) if label == _key(reveal.text)}
    posts = [m for m in fake.channels.get(CHANNEL_ID, []) if m is not question and not m.ephemeral
             and m.id > question.id and m.id < reveal.id]
    return _outcome(scenario.presses, reveal.text, names, texts, delays, len(posts), 0,
                    (revealed - close_at), batches.count or None)


def _member_ids(scenario: Scenario) -> range:
    return range(FIRST_MEMBER, FIRST_MEMBER + scenario.members)


def _press_window(scenario: Scenario, close_at: float) -> tuple[float, float]:
    """The loop times between which the presses come: `window` seconds ending `margin` before the close."""
    return close_at - scenario.margin - scenario.window, close_at - scenario.margin


async def _closes_at(core: StudyBot, answer_data: str) -> datetime:
    answer = payloads.decode(answer_data)
    assert isinstance(answer, payloads.Answer)
    async with core.store.transaction() as tx:
        prompt = await tx.prompts.prompt(answer.prompt_id)
    assert prompt is not None and prompt.closes_at is not None
    return prompt.closes_at


async def _press_all(loop: asyncio.AbstractEventLoop, rng: random.Random, people: list[Json],
                     start: float, end: float, press: Callable[[Json, str], str | Awaitable[str]],
                     midway: Callable[[], None] = lambda: None) -> tuple[dict[str, float], list[str]]:
    """Each person presses a random letter at a random instant in [start, end); returns each press's
    key (query id or interaction token) with its loop time, and the letters in people's order.
    `midway` runs once half the presses are made."""
    labels = [rng.choice("ABCD") for _ in people]
    instants = sorted((rng.uniform(start, end), i) for i in range(len(people)))
    pressed: dict[str, float] = {}
    for n, (at, i) in enumerate(instants):
        await asyncio.sleep(max(0.0, at - loop.time()))
        made = loop.time()
        key = press(people[i], labels[i])
        pressed[key if isinstance(key, str) else await key] = made
        if n == len(instants) // 2:
            midway()
    return pressed, labels


def _flood_once(api: FakeBotApi) -> None:
    """One 429 on each method a press uses, as Telegram answers a burst now and then."""
    api.fail("answerCallbackQuery", 429, "Too Many Requests: retry after 1", retry_after=1)
    api.fail("editMessageText", 429, "Too Many Requests: retry after 1", retry_after=1)


async def _reveal(api: FakeBotApi, question: Call, deadline: float) -> Call:
    """The reveal, looking only at calls made since the last look (thousands come in a burst)."""
    loop = asyncio.get_running_loop()
    seen = api.mark()
    while loop.time() < deadline:
        calls, seen = api.calls[seen:], len(api.calls)
        for call in calls:
            if (call.method == "sendMessage" and call.chat_id == GROUP and call.status == 200
                    and call.at > question.at and call.text.startswith("Time's up!")):
                return call
        await asyncio.sleep(0.02)
    raise AssertionError("no reveal")


def _discord_reveal(fake: FakeDiscord, question: Message) -> Message | None:
    return next((m for m in fake.channels.get(CHANNEL_ID, []) if m.id > question.id
                 and m.text.startswith("Time's up!")), None)


def _key(reveal: str) -> str:
    found = _ANSWER.search(reveal)
    assert found is not None, reveal
    return found.group(1)


def _outcome(presses: int, reveal: str, expected: set[str], texts: list[str], delays: list[float],
             foreign: int, private: int, reveal_delay: float, batches: int | None) -> RoundOutcome:
    count = _REVEAL_COUNT.search(reveal)
    right = _RIGHT.search(reveal)
    named = set(right.group(1).split(", ")) if right else set()
    refusals = ("time is up", "closed", "already answered", "sorry")
    quantiles = statistics.quantiles(delays, n=100, method="inclusive") if len(delays) > 1 else delays * 99
    return RoundOutcome(
        presses=presses, counted=int(count.group(2)) if count else 0, names_match=named == expected,
        refused=sum(any(r in t.lower() for r in refusals) for t in texts),
        ack_p50=quantiles[49], ack_p99=quantiles[98], acks_over_1s=sum(d > 1.0 for d in delays),
        verdicts=sum(t.startswith(("Correct", "Not quite")) for t in texts),
        foreign_posts=foreign, private_messages=private, reveal_delay=reveal_delay, batches=batches)
