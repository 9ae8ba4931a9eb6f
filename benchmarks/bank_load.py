"""How long the question bank takes to load and validate, against reading the YAML alone.

Run: .venv/bin/python benchmarks/bank_load.py [repeats]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

from bot.content.bank import load_bank, question_files

BANK = Path(__file__).resolve().parents[1] / "content" / "questions"


def median_seconds(action: object, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    files = question_files(BANK)
    baseline = median_seconds(lambda: [yaml.load(f.read_text(), Loader=loader) for f in files], repeats)
    full = median_seconds(lambda: load_bank(BANK), repeats)
    count = len(load_bank(BANK))
    print(f"questions: {count} in {len(files)} files; repeats: {repeats}")
    print(f"YAML parse only (baseline): median {baseline * 1000:.1f} ms")
    print(f"load_bank (parse + validate + index): median {full * 1000:.1f} ms "
          f"({full / baseline:.2f}x baseline)")


if __name__ == "__main__":
    main()
