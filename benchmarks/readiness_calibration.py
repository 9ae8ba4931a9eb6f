"""Is the readiness model calibrated? Simulated learners with known accuracy, predicted vs actual.

Each simulated learner has an overall ability a ~ U(0.55, 0.85) and per-domain accuracy
p_d = a + N(0, 0.08) (clipped), answers `answers` first attempts per domain spread over the last six
weeks, and is forecast by the bot's own code (bot.domain.readiness). "Actual" is their true chance to pass a
fresh 200-question form (exact, from p_d) and, for a plain count, whether one simulated sitting passed.
Learners are binned by predicted pass chance; a calibrated model has predicted = actual in every bin.
`drift` > 0 makes learners improve: accuracy `drift` lower six weeks ago than now.

Run: .venv/bin/python benchmarks/readiness_calibration.py [learners]
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from bot.domain import readiness
from bot.domain.models import FirstAttempt

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HISTORY_DAYS = 42
PASS_AT = math.ceil(readiness.PASS_FRACTION * sum(readiness.FORM.values()))


@dataclass(frozen=True, slots=True)
class Bin:
    low: float
    learners: int
    predicted: float  # mean predicted pass chance
    expected: float  # mean true pass probability
    sampled: float  # share of learners whose one simulated sitting passed


def binomial(n: int, p: float) -> readiness.Floats:
    k = np.arange(n + 1)
    comb = np.array([math.comb(n, j) for j in range(n + 1)], dtype=np.float64)
    return np.asarray(comb * p ** k * (1 - p) ** (n - k), dtype=np.float64)


def calibrate(learners: int, answers: tuple[int, int], seed: int = 1, drift: float = 0.0) -> list[Bin]:
    """Bins of predicted vs actual pass chance; `answers` is the (low, high) first attempts per domain."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[float, float, bool]] = []
    for _ in range(learners):
        ability = rng.uniform(0.55, 0.85)
        accuracy = {d: float(np.clip(ability + rng.normal(0, 0.08), 0.05, 0.99)) for d in readiness.FORM}
        attempts = []
        for d, p in accuracy.items():
            ages = rng.uniform(0, HISTORY_DAYS, int(rng.integers(answers[0], answers[1] + 1)))
            right = rng.random(len(ages)) < np.clip(p - drift * ages / HISTORY_DAYS, 0.01, 0.99)
            attempts += [FirstAttempt("q", d, bool(r), NOW - timedelta(days=float(age)))
                         for age, r in zip(ages, right, strict=True)]
        predicted = readiness.forecast(readiness.evidence(attempts, NOW)).pass_chance
        truth = readiness.score_distribution({d: binomial(n, accuracy[d]) for d, n in readiness.FORM.items()})
        sitting = sum(int(rng.binomial(n, accuracy[d])) for d, n in readiness.FORM.items())
        rows.append((predicted, float(truth[PASS_AT:].sum()), sitting >= PASS_AT))
    bins = []
    for b in range(10):
        inside = [r for r in rows if min(int(r[0] * 10), 9) == b]
        if inside:
            bins.append(Bin(b / 10, len(inside), float(np.mean([r[0] for r in inside])),
                            float(np.mean([r[1] for r in inside])), float(np.mean([r[2] for r in inside]))))
    return bins


def table(title: str, bins: list[Bin]) -> str:
    lines = [title, "| predicted bin | learners | mean predicted | true pass chance | passed one sitting |",
             "|---|---|---|---|---|"]
    lines += [f"| {b.low:.1f}-{b.low + 0.1:.1f} | {b.learners} | {b.predicted:.2f} | {b.expected:.2f} | "
              f"{b.sampled:.2f} |" for b in bins]
    return "\n".join(lines)


def main() -> None:
    learners = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    print(table("Steady learners, exactly 15 first answers per domain", calibrate(learners, (15, 15))))
    print()
    print(table("Steady learners, 15-60 first answers per domain", calibrate(learners, (15, 60))))
    print()
    print(table("Improving learners (+10 points over six weeks), 15-60 answers per domain",
                calibrate(learners, (15, 60), drift=0.10)))


if __name__ == "__main__":
    main()
