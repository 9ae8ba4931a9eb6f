"""Several instances and shards on one database: whichever instance closes a round question posts the
reveal in the round's own channel; a sharded client identifies as its shards."""

from __future__ import annotations

import random
from datetime import timedelta

from bot.core import StudyBot
from bot.domain.cards import make_scheduler
from bot.domain.questions import Bank
from bot.ports.clock import FixedClock
from bot.storage.engine import make_engine
from bot.storage.store import Store
from tests.discord.conftest import StartBot
from tests.discord.fake_discord import CHANNEL_ID, OTHER_CHANNEL_ID, FakeDiscord, user

ALICE, BOB = user(101, "Alice"), user(102, "Bob")


async def test_a_round_started_on_one_instance_is_revealed_by_another_in_its_channel(
        fake: FakeDiscord, start_bot: StartBot, study_bot: StudyBot, db_url: str, bank: Bank,
        clock: FixedClock) -> None:
    first = await start_bot()
    question = await fake.reply(await fake.slash(ALICE, "quiz", in_guild=True, channel_id=OTHER_CHANNEL_ID))
    assert question.channel_id == OTHER_CHANNEL_ID
    press = await fake.press(BOB, question, "B")
    await fake.followups(press)
    await first.stop()  # the instance that started the round is gone

    engine = make_engine(db_url)  # another process: its own engine and core, the same database
    try:
        other = StudyBot(Store(engine), bank, clock, rng=random.Random(3),
                         scheduler=make_scheduler(fuzz=False))
        await start_bot(other)
        posted = fake.channels[OTHER_CHANNEL_ID]
        seen = len(posted)
        clock.set(clock.now() + timedelta(seconds=61))
        reveal, _top, following = await fake.until(lambda: len(posted) >= seen + 3 and posted[seen:])
        assert reveal.text.startswith("Time's up!") and "Right (1 of 1): Bob" in reveal.text
        assert "question 2/5" in following.text
        assert not any(m.text.startswith("Time's up!") for m in fake.channels.get(CHANNEL_ID, []))
    finally:
        await engine.dispose()


async def test_a_sharded_instance_identifies_as_its_shards_and_serves(fake: FakeDiscord,
                                                                      start_bot: StartBot) -> None:
    await start_bot(shard_count=2, shard_ids=(1,))
    assert fake.identify is not None and fake.identify["shard"] == [1, 2]
    question = await fake.reply(await fake.slash(ALICE, "quiz", in_guild=True))
    assert list(question.buttons) == ["A", "B", "C", "D"]
