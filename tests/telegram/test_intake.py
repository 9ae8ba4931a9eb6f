"""At-least-once intake, exactly-once effect: an update is confirmed to Telegram only once handled,
one cut off mid-handling comes again after a restart and is applied once, and a redelivered update
changes nothing and is not answered twice. Polling and webhook, against the fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, cast

import aiohttp
import pytest
from sqlalchemy import text
from telegram import Update

from adapters.telegram import TelegramFrontend, intake
from adapters.telegram.updates import TolerantBot
from bot.core import APOLOGY, StudyBot
from bot.domain.questions import Bank
from bot.events import Event
from bot.handled import Handled, Outcome
from bot.outgoing import Outgoing
from bot.ports.clock import FixedClock
from bot.ports.storage import Store, UnitOfWork
from bot.storage.engine import make_engine
from bot.storage.store import Store as SqlStore
from tests.telegram.conftest import make_core, running
from tests.telegram.fake_api import FakeBotApi, Json

HOOK = "https://bot.example.test/tg/hook"
SECRET = "s3cret-token"


class Stalling:
    """A store whose transactions, once `stall` is set, hold just before they commit: the moment a
    crash would cut an event off with its writes made and nothing committed."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.parallel_transactions = store.parallel_transactions
        self.stall = False
        self.reached = asyncio.Event()
        self.release = asyncio.Event()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        async with self.store.transaction() as tx:
            yield tx
            if self.stall:
                self.reached.set()
                await self.release.wait()


def fail_first(core: StudyBot, monkeypatch: pytest.MonkeyPatch, times: int) -> list[Event]:
    """The core fails (rolls back and apologises) on its next `times` events; returns them."""
    original, failed = core.process, list[Event]()

    async def flaky(event: Event) -> Handled:
        if len(failed) < times:
            failed.append(event)
            return Handled([Outgoing(APOLOGY)], Outcome.FAILED)
        return await original(event)

    monkeypatch.setattr(core, "process", flaky)
    return failed


async def count(db_url: str, table: str) -> int:
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
    finally:
        await engine.dispose()


async def test_an_update_cut_off_mid_handling_comes_again_after_a_restart_and_counts_once(
        api: FakeBotApi, store: SqlStore, db_url: str, bank: Bank, clock: FixedClock, alice: Json,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake, "DRAIN", 0.1)  # a stop does not wait for the stalled update
    stalling = Stalling(store)
    async with running(make_core(stalling, bank, clock), api):  # type: ignore[arg-type]
        stalling.stall = True
        update_id = api.say(alice, "/quiz")
        await asyncio.wait_for(stalling.reached.wait(), 5)
        await asyncio.sleep(0.3)  # the poller polls on meanwhile
        assert api.unconfirmed == [update_id] and api.made("sendMessage") == []
    assert api.unconfirmed == [update_id]  # the stop cut it off: still Telegram's to deliver
    assert await count(db_url, "prompts") == 0 and await count(db_url, "handled_updates") == 0

    engine = make_engine(db_url)  # the restarted process
    try:
        async with running(make_core(SqlStore(engine), bank, clock), api):
            [question] = await api.wait("sendMessage", chat_id=101)
            assert "Question" in question.text
            api.redeliver(update_id)  # and Telegram sends it once more, as after a crash before confirming
            await asyncio.sleep(0.3)
            await api.quiet()
        assert len(api.made("sendMessage")) == 1 and api.unconfirmed == []
    finally:
        await engine.dispose()
    assert await count(db_url, "prompts") == 1 and await count(db_url, "handled_updates") == 1


async def test_a_burst_is_not_fetched_over_and_over_while_it_runs(
        telegram: TelegramFrontend, api: FakeBotApi) -> None:
    """Telegram hands back every update past the offset in each poll, so polling whenever one
    finished read each update of this burst (paced to 30 messages a second) about 50 times; a poll
    now waits until it can bring at least as many new updates as old ones, or BUSY_POLL: about 15."""
    people = [api.user(1000 + n, f"User {n}") for n in range(3 * intake.BATCH)]
    for person in people:
        api.say(person, "/help")
    await api.wait("sendMessage", count=len(people), within=60)
    await api.quiet()
    assert api.unconfirmed == []
    assert api.handed_out <= 25 * len(people), api.handed_out


async def test_a_redelivered_press_changes_nothing_and_is_not_answered_again(
        telegram: TelegramFrontend, api: FakeBotApi, alice: Json) -> None:
    mark = api.mark()
    api.say(alice, "/quiz")
    [question] = await api.wait("sendMessage", since=mark)
    press = api.press(alice, question, "B")
    [verdict] = await api.wait("editMessageText", since=mark)
    assert "Correct!" in verdict.text
    api.redeliver(press)
    await asyncio.sleep(0.3)
    await api.quiet()
    assert len(api.made("editMessageText")) == 1 and len(api.made("answerCallbackQuery")) == 1
    api.say(alice, "/stats")
    [stats] = await api.wait("sendPhoto", since=mark)
    assert "Answered: 1 · accuracy 100%" in stats.text


async def test_an_update_the_core_fails_on_comes_again_without_an_apology(
        telegram: TelegramFrontend, core: StudyBot, api: FakeBotApi, alice: Json,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake, "RETRY_PAUSE", 0.05)
    failed = fail_first(core, monkeypatch, times=intake.TRIES - 1)
    api.say(alice, "/quiz")
    [question] = await api.wait("sendMessage", chat_id=101)
    await api.quiet()
    assert len(failed) == intake.TRIES - 1 and "Question" in question.text
    assert len(api.made("sendMessage")) == 1 and api.unconfirmed == []


async def test_an_update_that_always_fails_is_apologised_for_once_and_let_go(
        telegram: TelegramFrontend, core: StudyBot, api: FakeBotApi, alice: Json, bob: Json,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake, "RETRY_PAUSE", 0.05)
    failed = fail_first(core, monkeypatch, times=intake.TRIES)
    api.say(alice, "/quiz")
    [apology] = await api.wait("sendMessage", chat_id=101)
    assert apology.text == APOLOGY and len(failed) == intake.TRIES
    api.say(bob, "/help")  # polling went on past it
    await api.wait("sendMessage", chat_id=102)
    await api.quiet()
    assert len(api.made("sendMessage", chat_id=101)) == 1 and api.unconfirmed == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _update(update_id: int, alice: Json, text_: str) -> Json:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": alice["id"], "type": "private",
                                                     "first_name": alice["first_name"]},
        "from": alice, "text": text_, "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}


async def _post(port: int, update: Json) -> int:
    async with aiohttp.ClientSession() as http, http.post(
            f"http://127.0.0.1:{port}/tg/hook", json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
        return response.status


def _webhook(port: int) -> dict[str, Any]:
    return {"webhook_url": HOOK, "webhook_listen": ("127.0.0.1", port), "webhook_secret": SECRET}


async def test_the_webhook_answers_500_when_handling_fails_and_a_redelivery_counts_once(
        core: StudyBot, api: FakeBotApi, alice: Json, monkeypatch: pytest.MonkeyPatch) -> None:
    port = _free_port()
    failed = fail_first(core, monkeypatch, times=1)
    async with running(core, api, **_webhook(port)):
        update = _update(7, alice, "/quiz")
        assert await _post(port, update) == 500  # Telegram will send it again
        assert len(failed) == 1 and api.made("sendMessage") == []
        assert await _post(port, update) == 200
        [question] = await api.wait("sendMessage")
        assert "Question" in question.text
        assert await _post(port, update) == 200  # a third delivery: already handled
        await api.quiet()
        assert len(api.made("sendMessage")) == 1


async def test_the_webhook_answers_only_once_the_update_is_handled(
        sqlite_store: SqlStore, bank: Bank, clock: FixedClock, api: FakeBotApi, alice: Json) -> None:
    port = _free_port()
    stalling = Stalling(sqlite_store)
    async with running(make_core(stalling, bank, clock), api, **_webhook(port)):  # type: ignore[arg-type]
        stalling.stall = True
        posting = asyncio.create_task(_post(port, _update(8, alice, "/help")))
        await asyncio.wait_for(stalling.reached.wait(), 5)
        await asyncio.sleep(0.2)
        assert not posting.done()  # held open while the transaction is
        stalling.stall = False
        stalling.release.set()
        assert await posting == 200
        await api.wait("sendMessage")


async def test_a_poll_answered_after_the_offset_moved_brings_nothing_to_read_again() -> None:
    """A poll sent while update 1 ran may come back after it and 2 are done and the offset has moved
    past them. They count as seen, so TolerantBot drops them before PTB parses them again (an
    unreadable one was logged twice) and the poller does not hand them out again."""
    handled: list[int] = []
    both_handled = asyncio.Event()

    class Instant:
        def now(self) -> datetime:
            return datetime(2026, 12, 6, tzinfo=UTC)

        async def process(self, update: Update, _received: datetime) -> bool:
            handled.append(update.update_id)
            if len(handled) == 2:
                both_handled.set()
            return True

    class ScriptedBot:
        seen: Callable[[int], bool]

        def __init__(self) -> None:
            self.batches = [[Update(1), Update(2)]]

        def leave_out(self, seen: Callable[[int], bool]) -> None:
            self.seen = seen

        async def get_updates(self, **_: Any) -> tuple[Update, ...]:
            if self.batches:
                return tuple(self.batches.pop())
            await asyncio.Event().wait()  # long polling, nothing new
            return ()

    bot = ScriptedBot()
    poller = intake.Poller(cast(intake.Intake, Instant()), cast(TolerantBot, bot), timeout=10,
                           allowed_updates=[])
    polling = asyncio.create_task(poller.run())
    await asyncio.wait_for(both_handled.wait(), 5)
    await asyncio.sleep(0.05)  # both tasks finish: the offset moves past them, nothing is in hand
    assert poller.offset == 3
    assert bot.seen(1) and bot.seen(2) and not bot.seen(3)
    polling.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await polling
