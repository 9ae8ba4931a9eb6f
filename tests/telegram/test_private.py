"""A learner in a private chat: onboarding, questions answered by button and by typing, settings."""

from __future__ import annotations

from adapters.telegram import TelegramFrontend
from tests.telegram.fake_api import Call, FakeBotApi, Json


async def test_start_registers_menus_and_welcomes_with_setup_buttons(
        telegram: TelegramFrontend, api: FakeBotApi, alice: Json) -> None:
    scopes = {c.params["scope"]["type"]: [cmd["command"] for cmd in c.params["commands"]]
              for c in api.made("setMyCommands")}
    assert set(scopes) == {"all_private_chats", "all_group_chats"}
    assert "quiz" in scopes["all_private_chats"] and "leaderboard" in scopes["all_group_chats"]

    api.say(alice, "/start")
    welcome, zones = await api.wait("sendMessage", 2, chat_id=101)
    assert welcome.text.startswith("Welcome to CMAS Study Bot!")
    assert welcome.params["parse_mode"] == "HTML" and welcome.params["text"].startswith("<b>Welcome")
    assert welcome.buttons == [["Quiz me now", "Remind me 07:00"], ["Remind me 12:30", "Remind me 19:00"]]
    assert "time zone" in zones.text and ["New York", "Chicago", "Denver", "Phoenix"] in zones.buttons

    mark = api.mark()
    api.press(alice, zones, "Chicago")
    [ack] = await api.wait("answerCallbackQuery", since=mark)
    [reply] = await api.wait("sendMessage", since=mark)
    assert "America/Chicago" in reply.text and ack.params.get("text") is None


async def test_quiz_answered_right_then_wrong_by_button(
        telegram: TelegramFrontend, api: FakeBotApi, alice: Json) -> None:
    api.say(alice, "/quiz")
    [question] = await api.wait("sendMessage", chat_id=101)
    assert question.buttons == [["A", "B", "C", "D"]]
    assert "A. first" in question.text and "D. fourth" in question.text
    assert all(len(d.encode()) <= 64 for d in _callback_data(question))

    mark = api.mark()
    api.press(alice, question, "B")
    [ack] = await api.wait("answerCallbackQuery", since=mark)
    [verdict] = await api.wait("editMessageText", since=mark)
    assert ack.at <= verdict.at  # acknowledged before the edit
    assert verdict.message == question.message
    assert "Correct!" in verdict.text and "Source: Test fixture" in verdict.text
    assert verdict.buttons == [["Next", "Report a problem"]]

    mark = api.mark()
    api.press(alice, verdict, "Next")
    [second] = await api.wait("sendMessage", since=mark)
    mark = api.mark()
    api.press(alice, second, "C")
    [wrong] = await api.wait("editMessageText", since=mark)
    assert "Not quite - you chose C. The answer is B." in wrong.text


async def test_typed_answers_in_a_private_chat(telegram: TelegramFrontend, api: FakeBotApi,
                                               alice: Json) -> None:
    api.say(alice, "b")
    [nothing_open] = await api.wait("sendMessage", chat_id=101)
    assert "no open question" in nothing_open.text
    mark = api.mark()
    api.say(alice, "/quiz 3")
    api.say(alice, "B")  # in the same batch: per-user order answers the question just asked
    question, verdict = await api.wait("sendMessage", 2, since=mark)
    assert "D3" in question.text and "Correct!" in verdict.text
    assert verdict.buttons == [["Next", "Report a problem"]]
    mark = api.mark()
    api.say(alice, "hello there")
    [nudge] = await api.wait("sendMessage", since=mark)
    assert "Send /quiz" in nudge.text


async def test_settings_commands_with_bad_and_good_input(telegram: TelegramFrontend, api: FakeBotApi,
                                                         alice: Json) -> None:
    exchanges = [
        ("/goal 99", "between 1 and 50"),
        ("/timezone Mars/Base", "not a time zone or a city I know"),
        ("/examdate someday", "2027"),
        ("/remind 25:00", "19:00"),
        ("/leaderboard", "add me to your study group"),
        ("/frobnicate", "/help"),
        ("/goal 12", "Daily goal set to 12 questions."),
        ("/settings", "Daily goal: 12 questions"),
    ]
    for command, expected in exchanges:
        mark = api.mark()
        api.say(alice, command)
        [reply] = await api.wait("sendMessage", since=mark)
        assert expected in reply.text, (command, reply.text)


def _callback_data(call: Call) -> list[str]:
    return [b["callback_data"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]
