"""A live round in a busy Discord server, small enough for the suite (benchmarks/round_at_scale.py runs
it with 1,000 presses): see tests.round_scenario.assert_small_round_held. On both databases."""

from __future__ import annotations

from bot.domain.questions import Bank
from bot.ports.storage import Store
from tests.discord.fake_discord import FakeDiscord
from tests.round_scenario import SMALL, assert_small_round_held, discord_round, make_core


async def test_a_discord_round_in_a_big_server_holds(store: Store, bank: Bank, fake: FakeDiscord) -> None:
    assert_small_round_held(await discord_round(make_core(store, bank), fake, SMALL))
