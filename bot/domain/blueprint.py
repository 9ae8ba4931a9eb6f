"""How many questions of each domain a form of a given length holds, by the exam's blueprint weights."""

from __future__ import annotations

from bot.domain.exam import DOMAINS


def allocate(total: int) -> dict[int, int]:
    """Largest-remainder (Hamilton) allocation of `total` questions over the domain weights.

    Each domain gets the whole part of its share; the questions left go to the largest remainders,
    ties to the heavier domain, then the lower number. 200 gives exactly 26/14/20/34/34/34/14/24.
    """
    weight_sum = sum(d.weight for d in DOMAINS)  # integer arithmetic: exact remainders, exact ties
    counts = {d.number: total * d.weight // weight_sum for d in DOMAINS}
    by_remainder = sorted(DOMAINS, key=lambda d: (-(total * d.weight % weight_sum), -d.weight, d.number))
    for domain in by_remainder[:total - sum(counts.values())]:
        counts[domain.number] += 1
    return counts
