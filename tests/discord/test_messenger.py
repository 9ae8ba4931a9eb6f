"""Pushes through the messenger: DMs, server channels, closed DMs, rate limits, long texts; and
whether someone still administers a server, asked before a weekly group report goes."""

from __future__ import annotations

import pytest

from adapters.discord_bot.frontend import DiscordFrontend
from bot import payloads
from bot.core import StudyBot
from bot.events import Address
from bot.outgoing import Choice, Outgoing
from bot.ports.delivery import RecipientUnreachable, RetryLater
from tests.discord.conftest import StartBot
from tests.discord.fake_discord import CHANNEL_ID, GUILD_ID, OTHER_CHANNEL_ID, FakeDiscord, user

ALICE = user(101, "Alice")
PROMPT = Outgoing("Time for today's CMAS practice.",
                  (Choice("Start today's session", payloads.encode(payloads.Next(daily=True))),))


def posts(fake: FakeDiscord, channel: int) -> list[str]:
    return [r for r in fake.requests if r == f"POST /channels/{channel}/messages"]


async def test_a_push_reaches_the_dm_and_its_button_starts_the_session(fake: FakeDiscord,
                                                                      start_bot: StartBot) -> None:
    frontend = await start_bot()
    await frontend.messenger.send(Address("discord", "101"), PROMPT)
    [prompt] = fake.channels[fake.dm_channel(101)]
    assert prompt.text == PROMPT.text and list(prompt.buttons) == ["Start today's session"]
    press = await fake.press(ALICE, prompt, "Start today's session")
    [question] = await fake.followups(press)
    assert "Daily 1/10" in question.text and list(question.buttons) == ["A", "B", "C", "D"]


async def test_closed_dms_mark_the_learner_unreachable_without_retrying(
        fake: FakeDiscord, start_bot: StartBot, study_bot: StudyBot) -> None:
    frontend = await start_bot()
    await fake.reply(await fake.slash(ALICE, "stats"))  # Alice is a learner
    fake.closed_dms.add(101)
    with pytest.raises(RecipientUnreachable):
        await frontend.messenger.send(Address("discord", "101"), PROMPT)
    assert len(posts(fake, fake.dm_channel(101))) == 1
    async with study_bot.store.transaction() as tx:
        learner = await tx.learners.find_learner("discord", "101")
    assert learner is not None and learner.unreachable


async def test_rate_limits_are_waited_out_or_surfaced(fake: FakeDiscord, start_bot: StartBot) -> None:
    frontend = await start_bot()
    fake.rate_limits.append((f"/channels/{CHANNEL_ID}/messages", 0.05))
    server = Address("discord", f"guild:{GUILD_ID}")
    await frontend.messenger.send(server, PROMPT)  # a short wait: discord.py retries by itself
    assert len(posts(fake, CHANNEL_ID)) == 2 and len(fake.channels[CHANNEL_ID]) == 1
    fake.rate_limits.append((f"/channels/{CHANNEL_ID}/messages", 120.0))
    with pytest.raises(RetryLater) as wait:
        await frontend.messenger.send(server, PROMPT)
    assert wait.value.seconds == 120.0


async def test_server_pushes_go_to_the_round_channel_or_the_system_channel(
        fake: FakeDiscord, start_bot: StartBot) -> None:
    frontend = await start_bot()
    server = Address("discord", f"guild:{GUILD_ID}")
    await frontend.messenger.send(server, Outgoing("Weekly board"))
    assert [m.text for m in fake.channels[CHANNEL_ID]] == ["Weekly board"]  # no round yet: system channel
    await fake.reply(await fake.slash(ALICE, "quiz", in_guild=True, channel_id=OTHER_CHANNEL_ID))
    await frontend.messenger.send(server, Outgoing("Daily group question"))
    assert fake.channels[OTHER_CHANNEL_ID][-1].text == "Daily group question"
    await frontend.messenger.send(Address("discord", f"guild:{GUILD_ID}", str(CHANNEL_ID)), Outgoing("Here"))
    assert fake.channels[CHANNEL_ID][-1].text == "Here"


async def test_the_round_channel_survives_a_restart(fake: FakeDiscord, start_bot: StartBot) -> None:
    first = await start_bot()
    await fake.reply(await fake.slash(ALICE, "quiz", in_guild=True, channel_id=OTHER_CHANNEL_ID))
    await first.stop()
    second: DiscordFrontend = await start_bot()
    await second.messenger.send(Address("discord", f"guild:{GUILD_ID}"), Outgoing("Reveal"))
    assert fake.channels[OTHER_CHANNEL_ID][-1].text == "Reveal"


async def test_long_pushes_are_split_and_bad_addresses_refused(fake: FakeDiscord,
                                                               start_bot: StartBot) -> None:
    frontend = await start_bot()
    text = "\n".join(f"{i:03d} " + "x" * 95 for i in range(50))  # 5000 characters
    await frontend.messenger.send(Address("discord", "101"), Outgoing(text, PROMPT.choices))
    sent = fake.channels[fake.dm_channel(101)]
    assert len(sent) == 3 and "\n".join(m.text for m in sent) == text
    assert [bool(m.buttons) for m in sent] == [False, False, True]
    for chat_id in ("not-a-user", "guild:1"):  # a stranger's id; a server with no channel known
        with pytest.raises(RecipientUnreachable):
            await frontend.messenger.send(Address("discord", chat_id), PROMPT)


async def test_administers_reads_the_members_server_permissions_now(fake: FakeDiscord,
                                                                    start_bot: StartBot) -> None:
    """Manage Server through a role counts; a plain member, someone who left, or a server the bot
    is not in does not."""
    frontend = await start_bot()
    server = Address("discord", f"guild:{GUILD_ID}")
    fake.moderators.add(101)
    fake.departed.add(103)
    assert await frontend.messenger.administers(server, "101")
    assert not await frontend.messenger.administers(server, "102")
    assert not await frontend.messenger.administers(server, "103")
    assert not await frontend.messenger.administers(Address("discord", "guild:4242"), "101")
    assert fake.requests.count(f"GET /guilds/{GUILD_ID}/members/101") == 1  # asked now, not cached
    fake.moderators.discard(101)
    assert not await frontend.messenger.administers(server, "101")


async def test_administers_fetches_a_server_another_shard_holds(fake: FakeDiscord, start_bot: StartBot,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Any instance's ticker may send a report, and its shards may not hold the report's server."""
    frontend = await start_bot()
    monkeypatch.setattr(frontend.client, "get_guild", lambda _guild_id: None)
    fake.moderators.add(101)
    assert await frontend.messenger.administers(Address("discord", f"guild:{GUILD_ID}"), "101")
    assert f"GET /guilds/{GUILD_ID}" in fake.requests
