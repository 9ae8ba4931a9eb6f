"""Server channels: one question for everyone, answers acknowledged ephemerally, a running count,
the reveal when time is up, and the server's leaderboard and admin-only settings."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.ports.clock import FixedClock
from tests.discord.conftest import StartBot
from tests.discord.fake_discord import CHANNEL_ID, MANAGE_GUILD, OTHER_CHANNEL_ID, FakeDiscord, user

ALICE, BOB, CAROL, DAVE = user(101, "Alice"), user(102, "Bob"), user(103, "Carol"), user(104, "Dave")


async def test_a_channel_round_with_several_members_the_reveal_and_the_leaderboard(
        fake: FakeDiscord, start_bot: StartBot, clock: FixedClock) -> None:
    await start_bot()
    asked = await fake.slash(ALICE, "quiz", in_guild=True, channel_id=OTHER_CHANNEL_ID)
    question = await fake.reply(asked)
    assert asked.callback == {"type": 5} and not question.ephemeral  # the whole channel sees it
    assert question.channel_id == OTHER_CHANNEL_ID and "everyone answers once" in question.text
    assert "0 answered" in question.text and list(question.buttons) == ["A", "B", "C", "D"]

    acks = []
    for member, letter in ((BOB, "B"), (CAROL, "C"), (ALICE, "B")):
        press = await fake.press(member, question, letter)
        [ack] = await fake.followups(press)
        await fake.until(lambda press=press: press.original_edits)  # type: ignore[misc]
        acks.append((ack.ephemeral, ack.text))
    fast = "Correct, +20 (speed +10)"
    assert acks == [(True, fast), (True, "Not quite"), (True, fast)]
    assert "3 answered" in question.text and list(question.buttons) == ["A", "B", "C", "D"]

    again = await fake.press(BOB, question, "A")
    [note] = await fake.followups(again)
    assert note.ephemeral and "already answered" in note.text and "3 answered" in question.text
    busy = await fake.reply(await fake.slash(DAVE, "quiz", in_guild=True))
    assert "still open" in busy.text  # one open round per server

    posted = fake.channels[OTHER_CHANNEL_ID]
    seen = len(posted)
    clock.set(clock.now() + timedelta(seconds=61))
    reveal, top, following = await fake.until(lambda: len(posted) >= seen + 3 and posted[seen:])
    assert reveal.text.startswith("Time's up!") and "Answer: B." in reveal.text
    assert "Right (2 of 3): Alice, Bob" in reveal.text
    assert top.text.splitlines()[1:] == ["1. Alice - 20", "1. Bob - 20", "3. Carol - 1"]
    assert "question 2/5" in following.text and list(following.buttons) == ["A", "B", "C", "D"]
    late = await fake.press(DAVE, question, "B")
    [closed] = await fake.followups(late)
    assert "closed" in closed.text

    board = await fake.reply(await fake.slash(CAROL, "leaderboard", [{"name": "period", "type": 3,
                                                                       "value": "all"}], in_guild=True))
    assert not board.ephemeral
    assert board.text.splitlines()[1:] == ["1. Alice - 20", "1. Bob - 20", "3. Carol - 1", "4. Dave - 0"]
    await asyncio.sleep(0.2)
    assert len([m for m in fake.channels[OTHER_CHANNEL_ID] if m.text.startswith("Time's up!")]) == 1


async def test_private_study_counts_on_the_server_board(fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot()
    question = await fake.reply(await fake.slash(BOB, "quiz"))  # in DMs
    press = await fake.press(BOB, question, "B")
    await fake.until(lambda: press.original_edits)
    await fake.reply(await fake.slash(BOB, "leaderboard", in_guild=True))  # seen in the server
    board = await fake.reply(await fake.slash(ALICE, "leaderboard", in_guild=True))
    assert "1. Bob - 10" in board.text


async def test_group_settings_need_manage_server(fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot()
    change = [{"name": "setting", "type": 3, "value": "round"}, {"name": "value", "type": 3, "value": "45"}]
    refused = await fake.reply(await fake.slash(BOB, "groupsettings", change, in_guild=True))
    assert "Only the group's admins" in refused.text
    done = await fake.reply(await fake.slash(ALICE, "groupsettings", change, in_guild=True,
                                             permissions=MANAGE_GUILD))
    assert "Round length: 45 s" in done.text
    question = await fake.reply(await fake.slash(BOB, "quiz", in_guild=True))
    assert "45 s" in question.text and question.channel_id == CHANNEL_ID
