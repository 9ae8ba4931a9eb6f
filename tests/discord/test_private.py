"""Private practice through the real discord.py client: DMs, ephemeral flows in a server, bad input."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.core import APOLOGY, StudyBot
from tests.discord.conftest import StartBot
from tests.discord.fake_discord import EPHEMERAL, FakeDiscord, Message, user

ALICE, BOB = user(101, "Alice"), user(102, "Bob")


async def ask(fake: FakeDiscord, who: dict[str, Any] = ALICE, **where: Any) -> Message:
    exchange = await fake.slash(who, "quiz", **where)
    return await fake.reply(exchange)


async def test_right_answer_replaces_the_question_with_the_verdict_and_next(
        fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot()
    question = await ask(fake)
    assert "A. first" in question.text and "D. fourth" in question.text
    assert list(question.buttons) == ["A", "B", "C", "D"] and not question.ephemeral

    press = await fake.press(ALICE, question, "B")
    await fake.until(lambda: press.original_edits)
    assert press.callback == {"type": 6}  # acknowledged silently, then the message is edited
    assert "Correct!" in question.text and list(question.buttons) == ["Next", "Report a problem"]
    assert press.followups == []

    following = await fake.press(ALICE, question, "Next")
    [new] = await fake.followups(following)
    assert list(new.buttons) == ["A", "B", "C", "D"] and new.id != question.id


async def test_wrong_answer_shows_the_right_one(fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot()
    question = await ask(fake)
    press = await fake.press(ALICE, question, "C")
    await fake.until(lambda: press.original_edits)
    assert "Not quite - you chose C. The answer is B." in question.text
    assert "Source: Test fixture" in question.text


async def test_a_double_press_counts_once(fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot()
    question = await ask(fake)
    first, second = await asyncio.gather(fake.press(ALICE, question, "B"), fake.press(ALICE, question, "B"))
    await fake.until(lambda: first.original_edits + second.original_edits == 1
                     and len(first.followups + second.followups) == 1)
    [note] = first.followups + second.followups
    assert note.ephemeral and ("already answered" in note.text or "closed" in note.text)
    assert question.edits == 2 and "Correct!" in question.text  # filled in once, answered once


async def test_buttons_work_after_a_restart(fake: FakeDiscord, start_bot: StartBot,
                                            study_bot: StudyBot) -> None:
    before = await start_bot()
    question = await ask(fake)
    await before.stop()
    restarted = StudyBot(study_bot.store, study_bot.bank, study_bot.clock, rng=study_bot.rng,
                         scheduler=study_bot.scheduler)
    await start_bot(restarted)
    press = await fake.press(ALICE, question, "B")
    await fake.until(lambda: press.original_edits)
    assert "Correct!" in question.text
    assert len(fake.syncs) == 1  # the restart did not upload the commands again


@pytest.mark.parametrize(("custom_id", "answer"), [
    ("cmas:1|a|999|B", "This question is closed"),  # well formed, but no such question
    ("cmas:9|x|garbage", "That button is no longer valid"),  # the core cannot decode it
    ("evil:1|a|1|B", "That button is no longer valid"),  # not a button of ours at all
])
async def test_forged_buttons_are_refused_politely(fake: FakeDiscord, start_bot: StartBot,
                                                   custom_id: str, answer: str) -> None:
    await start_bot()
    question = await ask(fake)
    forged = Message(question.id, question.channel_id,
                     components=[{"type": 1, "components": [
                         {"type": 2, "style": 1, "label": "B", "custom_id": custom_id}]}])
    press = await fake.press(ALICE, forged, "B")
    await fake.until(lambda: press.followups or (press.callback or {}).get("type") == 4)
    reply = press.followups[0].text if press.followups else press.callback["data"]["content"]  # type: ignore[index]
    assert answer in reply
    assert question.edits == 1 and "Correct" not in question.text


async def test_a_button_missing_from_the_message_is_refused(fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot()
    question = await ask(fake)
    press = await fake.press(ALICE, question, "B", custom_id="cmas:1|a|1|E")
    await fake.until(lambda: press.callback)
    assert press.callback is not None and press.callback["type"] == 4
    data = press.callback["data"]
    assert data["content"].startswith("That button is no longer valid") and data["flags"] == EPHEMERAL
    assert data["allowed_mentions"] == {"parse": []}  # names in texts never ping anyone
    assert question.edits == 1


async def test_someone_elses_private_question_is_closed_to_them(fake: FakeDiscord,
                                                                start_bot: StartBot) -> None:
    await start_bot()
    question = await ask(fake)
    press = await fake.press(BOB, question, "B")
    [note] = await fake.followups(press)
    assert note.ephemeral and "closed" in note.text and question.edits == 1


@pytest.mark.parametrize(("name", "options", "answer"), [
    ("quiz", [{"name": "domain", "type": 4, "value": 9}], "9 is not one of the choices"),
    ("examdate", [{"name": "date", "type": 3, "value": "2027-13-45"}], "Example: /examdate 2027-03-15"),
    ("examdate", [{"name": "date", "type": 3, "value": "next week"}], "2027-02-15"),
    ("remind", [{"name": "time", "type": 3, "value": "25:00"}], "Example: /remind 19:00"),
    ("frobnicate", [], "not available any more"),
])
async def test_bad_option_values_get_a_line_with_an_example(fake: FakeDiscord, start_bot: StartBot,
                                                            name: str, options: list[dict[str, Any]],
                                                            answer: str) -> None:
    await start_bot()
    exchange = await fake.slash(ALICE, name, options)
    await fake.until(lambda: exchange.callback)
    assert exchange.callback is not None and exchange.callback["type"] == 4
    assert answer in exchange.callback["data"]["content"]
    assert exchange.callback["data"]["flags"] == EPHEMERAL


async def test_values_the_core_rejects_are_answered_by_the_core(fake: FakeDiscord,
                                                                start_bot: StartBot) -> None:
    await start_bot()
    past = await fake.reply(await fake.slash(ALICE, "examdate", [{"name": "date", "type": 3,
                                                                    "value": "2020-01-01"}]))
    assert "already passed" in past.text
    goal = await fake.reply(await fake.slash(ALICE, "goal", [{"name": "questions", "type": 4, "value": 99}]))
    assert "between 1 and 50" in goal.text


async def test_personal_commands_in_a_server_answer_ephemerally(fake: FakeDiscord,
                                                                start_bot: StartBot) -> None:
    await start_bot()
    for name in ("stats", "settings", "help"):
        exchange = await fake.slash(ALICE, name, in_guild=True)
        reply = await fake.reply(exchange)
        assert exchange.callback == {"type": 5, "data": {"flags": EPHEMERAL}} and reply.ephemeral
    settings = await fake.reply(await fake.slash(ALICE, "settings", in_guild=True))
    assert "Daily goal: 10" in settings.text

    # A personal flow started in a server stays ephemeral, button by button.
    daily = await fake.reply(await fake.slash(ALICE, "daily", in_guild=True))
    assert daily.ephemeral and "Daily 1/10" in daily.text
    press = await fake.press(ALICE, daily, "B")
    await fake.until(lambda: press.original_edits)
    assert "Correct!" in daily.text
    following = await fake.press(ALICE, daily, "Next")
    [new] = await fake.followups(following)
    assert new.ephemeral and "Daily 2/10" in new.text


async def test_forgetme_confirms_then_deletes(fake: FakeDiscord, start_bot: StartBot,
                                              study_bot: StudyBot) -> None:
    await start_bot()
    await ask(fake)
    confirm = await fake.reply(await fake.slash(ALICE, "forgetme", in_guild=True))
    assert confirm.ephemeral and list(confirm.buttons) == ["Yes, delete everything", "Cancel"]
    press = await fake.press(ALICE, confirm, "Yes, delete everything")
    await fake.until(lambda: press.original_edits)
    assert "everything stored about you is deleted" in confirm.text and confirm.buttons == {}
    async with study_bot.store.transaction() as tx:
        assert await tx.learners.find_learner("discord", "101") is None


async def test_a_failure_in_one_interaction_is_an_apology_and_the_bot_goes_on(
        fake: FakeDiscord, start_bot: StartBot, study_bot: StudyBot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    await start_bot()
    original = study_bot.process

    async def broken(event: Any) -> Any:
        monkeypatch.setattr(study_bot, "process", original)
        raise RuntimeError("boom")

    monkeypatch.setattr(study_bot, "process", broken)
    failed = await fake.reply(await fake.slash(ALICE, "quiz"))
    assert failed.text == APOLOGY and failed.buttons == {}
    assert list((await ask(fake)).buttons) == ["A", "B", "C", "D"]


async def test_malformed_gateway_events_do_not_end_the_connection(fake: FakeDiscord,
                                                                 start_bot: StartBot) -> None:
    await start_bot()
    await fake.dispatch("INTERACTION_CREATE", {"type": 2, "data": {"name": "quiz"}})  # no id, no token
    await fake.dispatch("GUILD_CREATE", {"name": "no id"})
    question = await ask(fake)
    assert list(question.buttons) == ["A", "B", "C", "D"]


async def test_an_option_discord_py_cannot_parse_still_gets_an_apology_in_time(
        fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot()
    exchange = await fake.slash(ALICE, "quiz", [{"name": "domain", "type": 4}])  # no value
    await fake.until(lambda: exchange.callback)
    assert exchange.callback is not None and exchange.callback["data"]["content"] == APOLOGY
    assert exchange.answered_after is not None and exchange.answered_after < 3.0
