"""Readiness: the % a learner would score on an unseen 200-question form, and their chance to pass.

The model, small enough to check by hand (README "Readiness"):
1. Evidence is the first attempt at each question, in practice or a mock: a repeat measures memory of
   that question, not the domain. Each is weighted by recency, w = 0.5 ** (age / HALF_LIFE_DAYS), so
   an improving learner is judged as they are now.
2. Per domain, accuracy p_d ~ Beta(a, b) with a = s*m + n_eff*r, b = s*(1-m) + n_eff*(1-r): r is the
   weighted accuracy in the domain, n_eff = (sum w)^2 / sum w^2 (Kish's effective sample size, so
   down-weighting old answers widens the band instead of biasing it), m the learner's weighted
   accuracy over all domains (Laplace-smoothed) and s = PRIOR_STRENGTH answers' worth of pull toward it.
3. On a form, the domain's n_d blueprint questions score BetaBinomial(n_d, a, b); the domains are
   independent, so the form's total is their sum, computed exactly by convolution.
Predicted % is the mean, the band its 10th-90th percentiles, the pass chance P(total >= the pass mark).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from bot.domain.blueprint import allocate
from bot.domain.exam import BY_NUMBER, DOMAINS, FORM_QUESTIONS, PASS_CAVEAT, PASS_MARK, SCALE_MAX
from bot.domain.figures import rounded
from bot.domain.models import FirstAttempt

MIN_FIRST_ATTEMPTS = 15  # per domain, before any prediction is shown
HALF_LIFE_DAYS = 14.0
PRIOR_STRENGTH = 2.0
PASS_FRACTION = PASS_MARK / SCALE_MAX  # the scaled mark read as a share correct: said to the learner
BAND = (0.1, 0.9)
FORM = allocate(FORM_QUESTIONS)

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Recency-weighted first attempts in one domain."""

    count: int
    weight: float  # sum of w
    weight_sq: float  # sum of w^2
    correct: float  # sum of w over correct attempts


@dataclass(frozen=True, slots=True)
class Forecast:
    mean_pct: float
    low_pct: float
    high_pct: float
    pass_chance: float


def evidence(attempts: Sequence[FirstAttempt], now: datetime) -> dict[int, Evidence]:
    sums: dict[int, list[float]] = {d.number: [0, 0.0, 0.0, 0.0] for d in DOMAINS}
    for attempt in attempts:
        age_days = max((now - attempt.at).total_seconds(), 0.0) / 86400
        w = 0.5 ** (age_days / HALF_LIFE_DAYS)
        acc = sums[attempt.domain]
        acc[0] += 1
        acc[1] += w
        acc[2] += w * w
        acc[3] += w if attempt.correct else 0.0
    return {d: Evidence(int(c), w, w2, r) for d, (c, w, w2, r) in sums.items()}


def missing(found: Mapping[int, Evidence]) -> dict[int, int]:
    """How many more first attempts each domain needs before a forecast is shown."""
    return {d.number: MIN_FIRST_ATTEMPTS - found[d.number].count for d in DOMAINS
            if found[d.number].count < MIN_FIRST_ATTEMPTS}


def posteriors(found: Mapping[int, Evidence]) -> dict[int, tuple[float, float]]:
    """Beta(a, b) for each domain's accuracy, pulled toward the learner's overall accuracy."""
    # Laplace-smoothed, so neither a nor b is ever 0 (all right or all wrong so far)
    overall = (sum(e.correct for e in found.values()) + 1) / (sum(e.weight for e in found.values()) + 2)
    result = {}
    for d, e in found.items():
        n_eff = e.weight ** 2 / e.weight_sq if e.weight_sq else 0.0
        rate = e.correct / e.weight if e.weight else overall
        result[d] = (PRIOR_STRENGTH * overall + n_eff * rate,
                     PRIOR_STRENGTH * (1 - overall) + n_eff * (1 - rate))
    return result


def beta_binomial(n: int, a: float, b: float) -> Floats:
    """P(k right of n) when the accuracy is Beta(a, b), k = 0..n (pmf ratios, so no huge factorials)."""
    k = np.arange(n, dtype=np.float64)
    ratios = (n - k) / (k + 1) * (k + a) / (n - k - 1 + b)
    first = math.exp(math.lgamma(n + b) + math.lgamma(a + b) - math.lgamma(b) - math.lgamma(n + a + b))
    pmf = np.concatenate(([first], first * np.cumprod(ratios)))
    return np.asarray(pmf / pmf.sum(), dtype=np.float64)


def score_distribution(per_domain: Mapping[int, Floats]) -> Floats:
    """The distribution of a form's total right answers from each domain's own distribution."""
    total: Floats = np.ones(1)
    for pmf in per_domain.values():
        total = np.convolve(total, pmf)
    return total


def summarize(distribution: Floats) -> Forecast:
    questions = len(distribution) - 1
    cdf = np.cumsum(distribution)
    low, high = (int(np.searchsorted(cdf, q)) for q in BAND)
    mean = float(np.dot(np.arange(questions + 1), distribution))
    pass_at = math.ceil(PASS_FRACTION * questions)
    return Forecast(100 * mean / questions, 100 * low / questions, 100 * high / questions,
                    float(distribution[pass_at:].sum()))


def forecast(found: Mapping[int, Evidence]) -> Forecast:
    beliefs = posteriors(found)
    return summarize(score_distribution(
        {d: beta_binomial(FORM[d], *beliefs[d]) for d in FORM if FORM[d]}))


def readiness_lines(attempts: Sequence[FirstAttempt], now: datetime,
                    previous: tuple[float, float] | None = None) -> tuple[list[str], Forecast | None]:
    """The readiness part of /stats in words, with what moved since the `previous` (mean %, pass
    chance) shown; or what evidence is still missing. Also the forecast, to remember for next time."""
    found = evidence(attempts, now)
    needed = missing(found)
    if needed:
        gaps = ", ".join(f"D{d} {BY_NUMBER[d].short} {n}" for d, n in needed.items())
        return [f"Readiness shows once every domain has {MIN_FIRST_ATTEMPTS} first answers "
                f"(practice or mock). Still needed: {gaps}."], None
    f = forecast(found)
    lines = [f"Readiness: likely {rounded(f.low_pct)}-{rounded(f.high_pct)}% on an unseen "
             f"{FORM_QUESTIONS}-question form (about {rounded(f.mean_pct)}%), pass chance "
             f"{rounded(100 * f.pass_chance)}%."]
    if previous is not None:
        mean, chance = rounded(f.mean_pct) - rounded(previous[0]), \
            rounded(100 * f.pass_chance) - rounded(100 * previous[1])
        moved = "no change" if not (mean or chance) else \
            f"{mean:+d} points, pass chance {chance:+d} points"
        lines.append(f"Since you last looked: {moved} (recent first answers weigh most).")
    return [*lines, f"({PASS_CAVEAT})"], f
