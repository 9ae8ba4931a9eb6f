"""How long the /stats chart takes to draw (it is drawn on every /stats), and how big it is.

Run: .venv/bin/python benchmarks/chart_render.py [repeats]
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date

from bot.domain.models import DomainRecord
from bot.stats.chart import ACTIVITY_DAYS, render


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    rng = random.Random(1)
    records = {d: DomainRecord(n, rng.randint(n // 3, n)) for d in range(1, 9) for n in [rng.randint(5, 90)]}
    activity = [(n, rng.randint(0, n)) for n in (rng.randint(0, 30) for _ in range(ACTIVITY_DAYS))]
    start = time.perf_counter()
    png = render(records, activity, date(2026, 3, 2))
    first = time.perf_counter() - start
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        render(records, activity, date(2026, 3, 2))
        timings.append(time.perf_counter() - start)
    print(f"first render (fonts loaded): {first * 1000:.0f} ms; PNG {len(png) / 1024:.0f} KiB")
    print(f"render: median {statistics.median(timings) * 1000:.1f} ms, "
          f"max {max(timings) * 1000:.1f} ms over {repeats}")


if __name__ == "__main__":
    main()
