"""Readiness: the model's pieces, its calibration on simulated learners, and how /stats shows it."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from benchmarks.readiness_calibration import calibrate
from bot.domain import readiness
from bot.domain.models import AnswerRecord, FirstAttempt
from bot.storage.store import Store
from tests.chat import Chatter
from tests.conftest import START

MIN_BIN = 50  # bins with fewer simulated learners are too noisy to judge


def test_beta_binomial_is_a_distribution_with_the_right_mean() -> None:
    pmf = readiness.beta_binomial(34, 7.0, 3.0)
    assert len(pmf) == 35 and pmf.sum() == pytest.approx(1.0)
    assert float(np.dot(np.arange(35), pmf)) == pytest.approx(34 * 0.7)
    wide, narrow = readiness.beta_binomial(34, 0.7, 0.3), readiness.beta_binomial(34, 700.0, 300.0)
    spread = [float(np.dot((np.arange(35) - 34 * 0.7) ** 2, p)) for p in (wide, narrow)]
    assert spread[0] > 5 * spread[1]  # less evidence, wider


def test_recent_first_attempts_weigh_more() -> None:
    attempts = [FirstAttempt("a", 1, True, START), FirstAttempt("b", 1, False, START - timedelta(days=14))]
    found = readiness.evidence(attempts, START)[1]
    assert found.count == 2
    assert found.weight == pytest.approx(1.5) and found.correct == pytest.approx(1.0)
    assert readiness.missing(readiness.evidence(attempts, START))[1] == readiness.MIN_FIRST_ATTEMPTS - 2


def test_forecast_moves_with_accuracy_and_stays_within_its_band() -> None:
    def learner(right_of_20: int) -> readiness.Forecast:
        attempts = [FirstAttempt(f"{d}-{i}", d, i < right_of_20, START)
                    for d in range(1, 9) for i in range(20)]
        return readiness.forecast(readiness.evidence(attempts, START))

    weak, strong = learner(11), learner(18)
    assert weak.pass_chance < 0.05 < 0.95 < strong.pass_chance
    for f in (weak, strong):
        assert f.low_pct <= f.mean_pct <= f.high_pct
    assert 50 < weak.mean_pct < 60 < 85 < strong.mean_pct < 92


@pytest.mark.parametrize("answers", [(15, 15), (15, 40)])
def test_calibrated_on_simulated_learners(answers: tuple[int, int]) -> None:
    bins = calibrate(1500, answers, seed=2)
    judged = [b for b in bins if b.learners >= MIN_BIN]
    assert len(judged) >= 8
    for b in judged:
        assert abs(b.predicted - b.expected) <= 0.1, b


async def test_stats_says_what_is_missing_then_forecasts(chat: Chatter, store: Store) -> None:
    await chat.send("/help")
    async with store.transaction() as tx:
        learner = await tx.learners.find_learner("test", "u1")
        assert learner is not None
        for d in range(1, 9):
            for i in range(14 if d == 2 else 16):
                await tx.answers.record_answer(learner.id, AnswerRecord(
                    f"d{d}-{i:04d}", d, i % 5 != 0, False, START - timedelta(days=i)))
    await chat.send("/stats")
    assert "Still needed: D2 Clinical 1." in chat.text
    async with store.transaction() as tx:
        await tx.answers.record_answer(learner.id, AnswerRecord("d2-0099", 2, True, False, START))
        repeat = AnswerRecord("d2-0001", 2, False, False, START)
        await tx.answers.record_answer(learner.id, repeat)
    await chat.send("/stats")
    assert "Still needed: D2 Clinical" not in chat.text
    assert "Readiness: likely " in chat.text and "(about 7" in chat.text and "pass chance" in chat.text
    assert "Since you last looked" not in chat.text  # the first forecast has nothing to compare
    async with store.transaction() as tx:
        for i in range(20):  # a good day in the weakest domain moves it
            await tx.answers.record_answer(learner.id, AnswerRecord(f"d3-01{i:02d}", 3, True, False, START))
    await chat.send("/stats")
    moved = next(line for line in chat.text.splitlines() if line.startswith("Since you last looked: "))
    assert moved.startswith("Since you last looked: +") and "pass chance +" in moved
    assert "a scaled score, not a raw percentage" in chat.text
