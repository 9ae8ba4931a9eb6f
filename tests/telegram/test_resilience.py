"""Untrusted presses, restarts, blocked users, flood limits, network trouble and broken updates."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import cast

import pytest

from adapters.telegram import TelegramFrontend
from adapters.telegram.messenger import PLATFORM, TelegramMessenger
from bot.core import StudyBot
from bot.domain.questions import Bank
from bot.events import Address
from bot.handled import Handled
from bot.outgoing import Choice, Image, Outgoing
from bot.ports.clock import FixedClock
from bot.ports.delivery import RecipientUnreachable, RetryLater
from bot.storage.engine import make_engine
from bot.storage.store import Store
from tests.telegram.conftest import make_core, running
from tests.telegram.fake_api import Call, FakeBotApi, Json

ALICE = Address(PLATFORM, "101")


async def _question(api: FakeBotApi, user: Json) -> Call:
    mark = api.mark()
    api.say(user, "/quiz")
    [question] = await api.wait("sendMessage", since=mark)
    return question


async def _ack_text(api: FakeBotApi, user: Json, message: Json, data: str) -> str | None:
    mark = api.mark()
    api.press_data(user, message, data)
    [ack] = await api.wait("answerCallbackQuery", since=mark)
    text: str | None = ack.params.get("text")
    return text


async def test_forged_and_stale_presses_are_answered_and_change_nothing(
        telegram: TelegramFrontend, api: FakeBotApi, alice: Json, bob: Json) -> None:
    question = await _question(api, alice)
    message = api.messages[question.message]
    prompt = question.data("B")  # "1|a|<prompt id>|B"
    for forged in ("garbage", "1|a|1|E", "2|a|1|B", "1|a|99999|B", "x" * 300, prompt + "|1"):
        text = await _ack_text(api, alice, message, forged)
        assert text in {"That button is no longer valid. Send /help to carry on.",
                        "This question is closed. Send /quiz for a new one."}, forged
    assert "someone else" in (await _ack_text(api, bob, message, prompt) or "")

    mark = api.mark()
    api.press(alice, question, "B")
    await api.wait("editMessageText", since=mark)
    assert "closed" in (await _ack_text(api, alice, message, prompt) or "")  # stale: already answered
    await api.quiet()
    assert len(api.made("editMessageText")) == 1 and len(api.made("sendMessage")) == 1


async def test_presses_the_core_cannot_place_get_a_polite_answer(
        telegram: TelegramFrontend, api: FakeBotApi, alice: Json) -> None:
    question = await _question(api, alice)
    mark = api.mark()
    # A press on an inline-mode message (no message), and one without data (a game button).
    api.push({"callback_query": {"id": "77", "from": alice, "chat_instance": "1", "inline_message_id": "x",
                                 "data": "1|n|q|0"}})
    api.push({"callback_query": {"id": "78", "from": alice, "chat_instance": "1",
                                 "message": api.messages[question.message]}})
    await api.quiet()
    failed = [c for c in api.calls[mark:] if c.method == "answerCallbackQuery"]
    assert [c.params["text"] for c in failed] == ["This button no longer works. Send /help to carry on."] * 2


async def test_a_double_press_counts_once(telegram: TelegramFrontend, api: FakeBotApi, alice: Json) -> None:
    question = await _question(api, alice)
    mark = api.mark()
    api.press(alice, question, "B")
    api.press(alice, question, "B")  # the same button twice, in the same batch of updates
    acks = await api.wait("answerCallbackQuery", 2, since=mark)
    await api.quiet()
    assert acks[1].params["text"] in {"You have already answered this question.",
                                      "This question is closed. Send /quiz for a new one."}
    assert len(api.made("editMessageText", since=mark)) == 1
    api.say(alice, "/stats")
    [stats] = await api.wait("sendPhoto", since=mark)  # the chart, the summary as its caption
    assert "Answered: 1 · accuracy 100%" in stats.text and stats.params["photo"]["size"] > 1000


async def test_a_question_asked_before_a_restart_is_answered_after_it(
        api: FakeBotApi, store: Store, db_url: str, bank: Bank, clock: FixedClock, alice: Json) -> None:
    async with running(make_core(store, bank, clock), api):
        question = await _question(api, alice)
    engine = make_engine(db_url)  # a new process: new engine, core, application; the same database
    try:
        async with running(make_core(Store(engine), bank, clock), api):
            mark = api.mark()
            api.press(alice, question, "B")
            [verdict] = await api.wait("editMessageText", since=mark)
            assert "Correct!" in verdict.text and verdict.message == question.message
            stale = await _ack_text(api, alice, api.messages[question.message], question.data("B"))
            assert "closed" in (stale or "")
    finally:
        await engine.dispose()


async def test_a_blocked_user_is_marked_unreachable(
        telegram: TelegramFrontend, api: FakeBotApi, sqlite_store: Store, alice: Json, bob: Json) -> None:
    api.say(alice, "/help")
    await api.wait("sendMessage", chat_id=101)
    api.blocked.add(101)
    with pytest.raises(RecipientUnreachable):
        await telegram.messenger.send(ALICE, Outgoing("Time for today's questions"))
    async with sqlite_store.transaction() as tx:
        learner = await tx.learners.find_learner(PLATFORM, "101")
        assert learner is not None and learner.unreachable

    api.say(alice, "/quiz")  # her reply fails too, quietly; the bot goes on serving others
    api.say(bob, "/help")
    [help_] = await api.wait("sendMessage", chat_id=102)
    assert "Commands:" in help_.text

    api.blocked.clear()  # she unblocks the bot and writes again: reachable again
    api.say(alice, "/help")
    await api.wait("sendMessage", chat_id=101, count=2)
    async with sqlite_store.transaction() as tx:
        learner = await tx.learners.find_learner(PLATFORM, "101")
        assert learner is not None and not learner.unreachable


async def test_retry_after_is_honoured_then_surfaces_as_retry_later(
        telegram: TelegramFrontend, api: FakeBotApi, alice: Json) -> None:
    api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    started = time.monotonic()
    await telegram.messenger.send(ALICE, Outgoing("One"))
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in api.calls if c.method == "sendMessage"] == [429, 200]

    api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, times=2)
    with pytest.raises(RetryLater) as raised:
        await telegram.messenger.send(ALICE, Outgoing("Two"))  # flood_retries=1: the second 429 is final
    assert raised.value.seconds == 1.0


async def test_network_errors_are_retried_with_backoff(telegram: TelegramFrontend, api: FakeBotApi,
                                                       alice: Json) -> None:
    api.fail("sendMessage", 502, "Bad Gateway", times=2)
    await telegram.messenger.send(ALICE, Outgoing("Delivered at the third try"))
    assert [c.status for c in api.calls if c.method == "sendMessage"] == [502, 502, 200]
    api.fail("sendMessage", 502, "Bad Gateway", times=10)
    with pytest.raises(RetryLater):
        await telegram.messenger.send(ALICE, Outgoing("Never"))


async def test_edits_of_gone_or_unchanged_messages_are_handled_quietly(
        telegram: TelegramFrontend, api: FakeBotApi, alice: Json) -> None:
    question = await _question(api, alice)
    buttons = question.params["reply_markup"]["inline_keyboard"][0]
    same = Outgoing(question.text, tuple(Choice(b["text"], b["callback_data"]) for b in buttons))
    await cast(TelegramMessenger, telegram.messenger).replace(ALICE, question.message[1], same)
    assert [c.status for c in api.calls if c.method == "editMessageText"] == [400]  # not modified

    del api.messages[question.message]  # the user deleted the message: the verdict comes anew
    mark = api.mark()
    api.press_data(alice, question.result, question.data("B"))
    [sent] = await api.wait("sendMessage", since=mark)
    assert "Correct!" in sent.text and sent.buttons == [["Next", "Report a problem"]]


async def test_a_failing_update_is_logged_with_context_and_the_bot_carries_on(
        telegram: TelegramFrontend, api: FakeBotApi, alice: Json, bob: Json,
        caplog: pytest.LogCaptureFixture) -> None:
    api.fail("sendMessage", 400, "Bad Request: can't parse entities: something new", chat_id=101)
    with caplog.at_level(logging.WARNING, logger="adapters.telegram"):
        api.say(alice, "/help")
        api.push({"message": {"message_id": 9, "date": 0, "chat": api.chats[102], "from": bob}})  # no text
        api.push({"edited_channel_post": {"message_id": 1}})  # unparseable: no date, no chat
        api.push({"message": {"message_id": 10, "date": 0, "chat": api.chats[102], "text": "/help"}})
        api.say(bob, "/help")
        [reply] = await api.wait("sendMessage", chat_id=102)
        async with asyncio.timeout(5):  # Alice's update runs beside Bob's: its failure may be logged later
            while not any(r.getMessage().endswith("failed") for r in caplog.records):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    assert "Commands:" in reply.text
    [record] = [r for r in caplog.records if r.getMessage().endswith("failed")]
    assert "from user 101 in chat 101" in record.getMessage() and record.exc_info is not None
    [dropped] = [r.getMessage() for r in caplog.records if "cannot be read" in r.getMessage()]
    assert "'update_id': 3" in dropped  # the post without a date or chat, read once


async def test_long_text_is_split_and_images_go_as_photos(telegram: TelegramFrontend, api: FakeBotApi,
                                                          alice: Json) -> None:
    lines = [f"Line {i}: " + "word " * 20 for i in range(120)]  # about 13,000 characters
    await telegram.messenger.send(ALICE, Outgoing("\n".join(lines), (Choice("Next", "1|n|d"),)))
    parts = api.made("sendMessage")
    assert len(parts) == 4 and all(len(p.text) <= 4096 for p in parts)
    assert "\n".join(p.text for p in parts) == "\n".join(lines)
    assert [bool(p.buttons) for p in parts] == [False, False, False, True]

    chart = Image("stats.png", b"\x89PNG fake chart")
    await telegram.messenger.send(ALICE, Outgoing("Your CMAS progress\nAnswered: 12", image=chart))
    [photo] = api.made("sendPhoto")
    assert photo.text == "Your CMAS progress\nAnswered: 12" and photo.params["photo"]["size"] == 15
    await telegram.messenger.send(ALICE, Outgoing("Your CMAS progress\n" + "x " * 800, image=chart))
    assert api.made("sendPhoto")[-1].text == "Your CMAS progress"
    assert api.made("sendMessage")[-1].text.startswith("x x")


async def test_a_press_that_crashes_gets_an_apology_not_a_traceback(
        telegram: TelegramFrontend, api: FakeBotApi, core: StudyBot, alice: Json,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    question = await _question(api, alice)

    async def broken(event: object) -> Handled:
        raise RuntimeError("a bug somewhere")

    monkeypatch.setattr(core, "process", broken)
    with caplog.at_level(logging.ERROR, logger="adapters.telegram"):
        mark = api.mark()
        api.press(alice, question, "B")
        [ack] = await api.wait("answerCallbackQuery", since=mark)
    assert ack.params["text"] == "Sorry, something went wrong on our side. Please try again."
    assert "bug" not in ack.params["text"] and any(r.exc_info for r in caplog.records)
