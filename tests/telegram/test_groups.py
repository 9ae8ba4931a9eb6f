"""A study group: a live round answered once per member, the reveal posted before the next question,
the board, admin settings."""

from __future__ import annotations

from datetime import timedelta

from adapters.telegram import TelegramFrontend
from bot.core import StudyBot
from bot.events import Address, Chat, Command, Person
from bot.ports.clock import FixedClock
from tests.telegram.conftest import running
from tests.telegram.fake_api import Call, FakeBotApi, Json

GROUP = -1001


async def _press(api: FakeBotApi, user: Json, message: Call, label: str) -> tuple[Call, list[Call]]:
    """Presses and returns the acknowledgement plus any edit it caused (after the bot went quiet)."""
    mark = api.mark()
    api.press(user, message, label)
    [ack] = await api.wait("answerCallbackQuery", since=mark)
    await api.quiet()
    return ack, api.made("editMessageText", since=mark)


async def test_group_round_one_answer_each_then_reveal_and_leaderboard(
        telegram: TelegramFrontend, api: FakeBotApi, clock: FixedClock, core: StudyBot,
        alice: Json, bob: Json) -> None:
    carol = api.user(103, "Carol", "O'Hara")
    api.group(GROUP, "CMAS evening class")
    api.say(alice, "/round@CmasStudyBot 2", chat_id=GROUP)
    [question] = await api.wait("sendMessage", chat_id=GROUP)
    assert "Round · question 1/2 · everyone answers once · 30 s · 0 answered" in question.text
    assert question.buttons == [["A", "B", "C", "D"]]

    ack, [edit] = await _press(api, alice, question, "B")
    assert ack.params["text"] == "Correct, +20 (speed +10)" and ack.params["show_alert"] == "false"
    assert "1 answered" in edit.text and edit.message == question.message and edit.buttons
    ack, [edit] = await _press(api, bob, question, "C")
    assert ack.params["text"] == "Not quite" and "2 answered" in edit.text
    ack, edits = await _press(api, alice, question, "A")
    assert "already answered" in ack.params["text"] and edits == []
    ack, [edit] = await _press(api, carol, question, "B")
    assert ack.params["text"] == "Correct, +20 (speed +10)" and "3 answered" in edit.text

    # A Discord group's round is due at the same time: the Telegram frontend must leave it alone.
    discord = Chat(Address("discord", "g1"), is_group=True)
    await core.handle(Command(Person("discord", "d1", "Dee"), discord, "quiz"))
    mark = api.mark()
    clock.set(clock.now() + timedelta(seconds=61))
    reveal, top, following = await api.wait("sendMessage", 3, since=mark, chat_id=GROUP)
    assert reveal.text.startswith("Time's up!") and "Answer: B." in reveal.text
    assert "Right (2 of 3): Alice, Carol O'Hara" in reveal.text
    assert top.text.splitlines()[1:] == ["1. Alice - 20", "1. Carol O'Hara - 20", "3. Bob - 1"]
    assert "question 2/2" in following.text and following.buttons == [["A", "B", "C", "D"]]
    posts = await core.close_due_rounds("discord")
    assert len(posts) == 3 and {address.chat_id for address, _ in posts} == {"g1"}

    ack, edits = await _press(api, bob, question, "B")
    assert "closed" in ack.params["text"] and edits == []

    mark = api.mark()
    api.say(bob, "/leaderboard all", chat_id=GROUP)
    [board] = await api.wait("sendMessage", since=mark)
    assert board.text.splitlines() == ["All-time leaderboard", "1. Alice - 20", "1. Carol O'Hara - 20",
                                       "3. Bob - 1"]
    assert board.params["text"].startswith("<b>All-time leaderboard</b>")
    assert len(api.made("sendMessage", chat_id=GROUP)) == 5  # question, reveal, top, question, board


async def test_group_settings_are_for_admins(telegram: TelegramFrontend, api: FakeBotApi,
                                             alice: Json, bob: Json) -> None:
    api.group(GROUP, "CMAS evening class", admins=(101,))
    for user, command, expected in (
        (bob, "/groupsettings round 45", "Only the group's admins"),
        (alice, "/groupsettings@CmasStudyBot round 5", "10-300 seconds"),
        (alice, "/groupsettings round 45", "Round length: 45 s"),
        (bob, "/groupsettings", "Round length: 45 s"),
    ):
        mark = api.mark()
        api.say(user, command, chat_id=GROUP)
        [reply] = await api.wait("sendMessage", since=mark)
        assert expected in reply.text, (command, reply.text)
    asked = [(c.params["chat_id"], c.params["user_id"]) for c in api.made("getChatMember")]
    assert asked == [(str(GROUP), "102"), (str(GROUP), "101"), (str(GROUP), "101"), (str(GROUP), "102")]


async def test_anonymous_admin_posting_as_the_group_is_an_admin(
        telegram: TelegramFrontend, api: FakeBotApi) -> None:
    chat = api.group(GROUP, "CMAS evening class")
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
    api.push({"message": {"message_id": 1, "date": 0, "chat": chat, "from": anonymous, "sender_chat": chat,
                          "text": "/groupsettings round 90",
                          "entities": [{"type": "bot_command", "offset": 0, "length": 14}]}})
    [reply] = await api.wait("sendMessage", chat_id=GROUP)
    assert "Round length: 90 s" in reply.text and api.made("getChatMember") == []


async def test_commands_for_other_bots_are_ignored_and_personal_ones_point_to_the_private_chat(
        telegram: TelegramFrontend, api: FakeBotApi, alice: Json, bob: Json) -> None:
    api.group(GROUP, "CMAS evening class")
    api.say(alice, "/quiz@SomeOtherBot", chat_id=GROUP)
    api.say(alice, "/weather", chat_id=GROUP)  # a bare command some other bot in the group knows
    api.say(alice, "good luck everyone", chat_id=GROUP)
    api.say(alice, "/weather@CmasStudyBot", chat_id=GROUP)
    [unknown] = await api.wait("sendMessage", chat_id=GROUP)
    assert "I don't know /weather" in unknown.text

    api.blocked.add(102)  # Bob never started a private chat with the bot: nothing is sent there
    for person, command in ((alice, "/stats"), (bob, "/settings@CmasStudyBot")):
        mark = api.mark()
        api.say(person, command, chat_id=GROUP)
        [pointer] = await api.wait("sendMessage", since=mark)
        assert pointer.chat_id == GROUP and "is just for you: send it to me in a private chat" in pointer.text
        [[link]] = pointer.params["reply_markup"]["inline_keyboard"]
        assert link == {"text": "Open a private chat", "url": "https://t.me/CmasStudyBot?start=group"}
    await api.quiet()
    assert [c.chat_id for c in api.made("sendMessage")] == [GROUP, GROUP, GROUP]


async def test_a_slow_grading_is_acknowledged_blank_and_the_reveal_is_the_verdict(
        core: StudyBot, api: FakeBotApi, alice: Json, clock: FixedClock) -> None:
    """A round verdict that misses the acknowledgement window is not sent privately, nor posted in
    the group: the reveal names who was right."""
    api.group(GROUP, "CMAS evening class")
    async with running(core, api, ack_within=0.0):  # every grading counts as slow
        api.say(alice, "/quiz", chat_id=GROUP)
        [question] = await api.wait("sendMessage", chat_id=GROUP)
        mark = api.mark()
        api.press(alice, question, "B")
        [ack] = await api.wait("answerCallbackQuery", since=mark)
        [edit] = await api.wait("editMessageText", since=mark)
        await api.quiet()
        assert api.made("sendMessage", since=mark) == []
        clock.set(clock.now() + timedelta(seconds=61))
        [reveal] = await api.wait("sendMessage", since=mark)
    assert "text" not in ack.params and "1 answered" in edit.text
    assert reveal.chat_id == GROUP and "Right (1 of 1): Alice" in reveal.text


async def test_someone_without_a_private_chat_gets_one_notice_a_day_in_the_group(
        telegram: TelegramFrontend, api: FakeBotApi, alice: Json, clock: FixedClock) -> None:
    """A private reply (here an admin's /groupreport) that cannot reach someone who never started the
    bot: one short notice in the group with a button that opens the private chat, not one per reply."""
    api.group(GROUP, "CMAS evening class", admins=(101,))
    api.blocked.add(101)
    notices: list[Call] = []
    for _ in range(2):
        mark = api.mark()
        api.say(alice, "/groupreport", chat_id=GROUP)
        await api.wait("sendMessage", since=mark, chat_id=GROUP)  # the report's "on its way" line
        await api.quiet()
        notices += [c for c in api.made("sendMessage", since=mark, chat_id=GROUP)
                    if "only answer that in a private chat" in c.text]
    [notice] = notices
    assert notice.text.startswith("Alice: ")
    [[link]] = notice.params["reply_markup"]["inline_keyboard"]
    assert link["url"] == "https://t.me/CmasStudyBot?start=group"
    clock.set(clock.now() + timedelta(days=1))  # a new day: one more notice at most
    mark = api.mark()
    api.say(alice, "/groupreport", chat_id=GROUP)
    await api.wait("sendMessage", 2, since=mark, chat_id=GROUP)
    await api.quiet()
    assert sum("only answer that in a private chat" in c.text
               for c in api.made("sendMessage", since=mark, chat_id=GROUP)) == 1
