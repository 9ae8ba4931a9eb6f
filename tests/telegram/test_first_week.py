"""A newcomer's first week on Telegram: input as people type it, the report button, the day."""

from __future__ import annotations

from adapters.telegram import TelegramFrontend
from tests.telegram.fake_api import FakeBotApi, Json


async def say(api: FakeBotApi, user: Json, text: str) -> str:
    mark = api.mark()
    api.say(user, text)
    [reply] = await api.wait("sendMessage", since=mark)
    return reply.text


async def test_settings_as_people_type_them(telegram: TelegramFrontend, api: FakeBotApi,
                                            alice: Json) -> None:
    assert "America/New_York" in await say(api, alice, "/timezone New York")
    assert "Daily study prompt set for 19:00" in await say(api, alice, "/remind 7pm")
    assert "(Monday 15 February 2027)" in await say(api, alice, "/examdate Feb 15 2027")
    mark = api.mark()
    api.say(alice, "/timezone EST")
    [ask] = await api.wait("sendMessage", since=mark)
    assert "daylight saving" in ask.text and ask.buttons == [["America/New_York"]]
    mark = api.mark()
    api.press(alice, ask, "America/New_York")
    [done] = await api.wait("sendMessage", since=mark)
    assert "Time zone set to America/New_York" in done.text
    long = await say(api, alice, "/timezone " + "z" * 5000)
    assert len(long) < 250 and "…" in long
    assert "Pick a goal between 1 and 50" in await say(api, alice, "/goal \u00b2")


async def test_report_a_problem_and_the_goal_met(telegram: TelegramFrontend, api: FakeBotApi,
                                                alice: Json) -> None:
    assert "Daily goal set to 1" in await say(api, alice, "/goal 1")
    mark = api.mark()
    api.say(alice, "/quiz")
    [question] = await api.wait("sendMessage", since=mark)
    mark = api.mark()
    api.press(alice, question, "B")
    [verdict] = await api.wait("editMessageText", since=mark)
    assert "Daily goal met: 1/1. Streak: 1 day." in verdict.text
    mark = api.mark()
    api.press(alice, verdict, "Report a problem")
    [kinds] = await api.wait("sendMessage", since=mark)
    assert kinds.text.startswith("What is wrong with question d")
    assert kinds.buttons == [["Wrong answer key", "Unclear"], ["Outdated", "Typo"]]
    mark = api.mark()
    api.press(alice, kinds, "Unclear")
    await api.quiet()
    shown = [c.params.get("text") or "" for method in ("editMessageText", "sendMessage",
                                                       "answerCallbackQuery")
             for c in api.made(method, since=mark)]
    assert any("is reported as \"Unclear\"" in text for text in shown), shown
    assert "your note is attached" in await say(api, alice, "/report the stem reads two ways")
