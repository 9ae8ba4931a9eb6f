"""Conversations with the core, scripted as a learner would type them, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot import payloads
from bot.core import APOLOGY, StudyBot
from bot.ports.clock import FixedClock
from bot.storage.store import Store
from tests.chat import Chatter


async def settings_of(chat: Chatter) -> str:
    await chat.send("/settings")
    return chat.text


async def test_start_offers_one_tap_setup(chat: Chatter) -> None:
    replies = await chat.send("/start")
    assert "Welcome" in replies[0].text
    labels = [c.label for r in replies for c in r.choices]
    assert "Quiz me now" in labels and "Remind me 19:00" in labels and "New York" in labels
    remind = chat.payload("Remind me 19:00")
    await chat.press("New York")
    assert "America/New_York" in chat.text
    await chat.press_payload(remind)
    assert "19:00 America/New_York" in chat.text


async def test_help_lists_every_command(chat: Chatter) -> None:
    await chat.send("/help")
    for name in ("quiz", "daily", "stats", "examdate", "remind", "timezone", "goal", "settings",
                 "about", "forgetme"):
        assert f"/{name}" in chat.text
    await chat.send("/about")
    assert "13%" in chat.text and "45 days" in chat.text and "70" in chat.text


async def test_quiz_right_then_wrong_with_next(chat: Chatter) -> None:
    question = (await chat.send("/quiz"))[0]
    assert [c.label for c in question.choices] == ["A", "B", "C", "D"]
    assert "A. first" in question.text and "D. fourth" in question.text
    verdict = (await chat.press("B"))[0]  # every fixture question is keyed B
    assert verdict.replace and "Correct!" in verdict.text and "Source: Test fixture" in verdict.text
    assert [c.label for c in verdict.choices] == ["Next", "Report a problem"]
    await chat.press("Next")
    assert "A. first" in chat.text
    wrong = (await chat.press("D"))[0]
    assert "Not quite - you chose D. The answer is B." in wrong.text
    await chat.send("/stats")
    assert "Answered: 2 · accuracy 50%" in chat.text


async def test_typed_letter_answers_the_open_question(chat: Chatter) -> None:
    await chat.send("/quiz")
    reply = (await chat.send(" b "))[0]
    assert "Correct!" in reply.text and not reply.replace
    await chat.send("c")
    assert "There is no open question" in chat.text


async def test_double_press_counts_once(chat: Chatter) -> None:
    await chat.send("/quiz")
    payload = chat.payload("B")
    await chat.press_payload(payload)
    second = await chat.press_payload(payload)
    assert "closed" in second[0].text and second[0].private
    await chat.send("/stats")
    assert "Answered: 1 " in chat.text


async def test_stale_forged_and_foreign_presses_change_nothing(chat: Chatter) -> None:
    await chat.send("/quiz")
    old = chat.payload("A")
    await chat.send("/quiz")  # a new question closes the old one
    assert "closed" in (await chat.press_payload(old))[0].text
    for forged in ("1|a|999999|A", "junk", "1|a|1|Z", "2|n|d", "1|f|y" + "x" * 70):
        reply = (await chat.press_payload(forged))[0]
        assert reply.private and ("closed" in reply.text or "no longer valid" in reply.text)
    await chat.send("/quiz")
    mine = chat.payload("B")
    stranger = Chatter(chat.bot, "u2")
    assert "closed" in (await stranger.press_payload(mine))[0].text  # another chat id
    await chat.send("/stats")
    assert "No answers yet" in chat.text


async def test_someone_elses_question_in_a_shared_chat(study_bot: StudyBot) -> None:
    alice = Chatter(study_bot, "a", chat_id="shared")
    bob = alice.as_user("b")
    await alice.send("/quiz")
    reply = (await bob.press_payload(alice.payload("B")))[0]
    assert "asked of someone else" in reply.text


@pytest.mark.parametrize("command", [
    "/quiz 9", "/examdate 2027-02-30", "/examdate 2026-03-01", "/timezone Mars/Base",
    "/remind 25:00", "/goal 0", "/goal many", "/remind", "/examdate someday",
])
async def test_bad_input_explains_with_an_example_and_changes_nothing(chat: Chatter,
                                                                      command: str) -> None:
    before = await settings_of(chat)
    replies = await chat.send(command)
    assert (len(replies) == 1 and "Example" in replies[0].text) or "example" in replies[0].text
    assert "\n" not in replies[0].text  # one line
    assert await settings_of(chat) == before


async def test_settings_commands(chat: Chatter) -> None:
    await chat.send("/timezone america/chicago")
    assert "America/Chicago (it is 09:00 there now)" in chat.text
    await chat.send("/examdate 2026-04-01")
    assert "30 days to your CMAS exam (Wednesday 01 April 2026)" in chat.text
    await chat.send("/remind 6:30")
    await chat.send("/goal 20")
    text = await settings_of(chat)
    assert "Daily prompt: 06:30" in text and "Daily goal: 20" in text and "30 days" in text
    await chat.send("/remind off")
    await chat.send("/examdate clear")
    text = await settings_of(chat)
    assert "Daily prompt: off" in text and "Exam date: not set" in text


async def test_unknown_command_and_group_chatter(study_bot: StudyBot, chat: Chatter) -> None:
    await chat.send("/frobnicate")
    assert "/help" in chat.text and "/frobnicate" in chat.text
    group = Chatter(study_bot, "u1", chat_id="-100", group=True)
    assert await group.send("hello everyone") == []
    assert await group.send("B") == []


async def test_daily_session_counts_progress_to_the_goal(chat: Chatter) -> None:
    await chat.send("/goal 2")
    await chat.send("/daily")
    assert "Daily 1/2" in chat.text
    await chat.press("B")
    await chat.press("Next")
    assert "Daily 2/2" in chat.text
    await chat.press("A")
    await chat.press("Next")
    assert "Daily goal done: 2/2" in chat.text


async def test_missed_question_returns_as_a_review_next_day(chat: Chatter, clock: FixedClock) -> None:
    await chat.send("/quiz 1")
    missed = chat.last[0].text.splitlines()[2]
    await chat.press("A")
    await chat.send("/quiz 2")  # something else in between: never the same question twice in a row
    await chat.press("B")
    clock.set(clock.now() + timedelta(days=1, hours=1))
    await chat.send("/quiz")
    assert "review" in chat.last[0].text.splitlines()[0]
    assert chat.last[0].text.splitlines()[2] == missed


async def test_streak_and_due_in_stats(chat: Chatter, clock: FixedClock) -> None:
    await chat.send("/goal 1")
    for _ in range(3):
        await chat.send("/quiz")
        await chat.press("B")
        clock.set(clock.now() + timedelta(days=1))
    await chat.send("/stats")
    assert "Streak: 3 days" in chat.text
    assert "D1 Foundations (13%)" in chat.text


async def test_forgetme_asks_first_then_deletes(chat: Chatter) -> None:
    await chat.send("/goal 30")
    await chat.send("/quiz")
    await chat.press("B")
    await chat.send("/forgetme")
    await chat.press("Cancel")
    assert "Nothing was deleted" in chat.text
    assert "Daily goal: 30" in await settings_of(chat)
    await chat.send("/forgetme")
    await chat.press("Yes, delete everything")
    assert "deleted" in chat.text
    assert "Daily goal: 10" in await settings_of(chat)
    await chat.send("/stats")
    assert "No answers yet" in chat.text


async def test_an_internal_error_becomes_an_apology_and_a_log_line(
        study_bot: StudyBot, chat: Chatter, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(Store, "transaction", broken)
    with caplog.at_level(logging.ERROR):
        replies = await chat.send("/quiz")
    assert [r.text for r in replies] == [APOLOGY]
    assert "database on fire" in caplog.text and "Command" in caplog.text


async def test_failed_write_is_rolled_back(study_bot: StudyBot, chat: Chatter,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.practice import handlers as study

    def explode(*_args: object) -> None:
        raise RuntimeError("after the card was saved")

    await chat.send("/quiz")
    monkeypatch.setattr(study, "verdict_text", explode)
    assert (await chat.press("B"))[0].text == APOLOGY
    monkeypatch.undo()
    await chat.send("/stats")
    assert "No answers yet" in chat.text  # the card and answer were rolled back
    await chat.send("/quiz")
    assert payloads.decode(chat.payload("B"))
