"""A live round in a busy Telegram group, small enough for the suite (benchmarks/round_at_scale.py runs
it with 1,000 presses): see tests.round_scenario.assert_small_round_held. On both databases."""

from __future__ import annotations

from bot.domain.questions import Bank
from bot.ports.storage import Store
from tests.round_scenario import SMALL, assert_small_round_held, make_core, telegram_round


async def test_a_telegram_round_in_a_big_group_holds(store: Store, bank: Bank) -> None:
    assert_small_round_held(await telegram_round(make_core(store, bank), SMALL))
