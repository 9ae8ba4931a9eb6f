"""Runs a scale benchmark's `measure` on a fresh SQLite file, then on PostgreSQL when the run has one
(scripts/with-postgres.sh sets TEST_POSTGRES_URL)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Awaitable, Callable

Measure = Callable[[str, str, int], Awaitable[None]]  # (database name, URL, size)


async def on_both_databases(measure: Measure, size: int, filename: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await measure("sqlite", f"sqlite+aiosqlite:///{tmp}/{filename}", size)
    if url := os.environ.get("TEST_POSTGRES_URL"):
        await measure("postgresql", url, size)
    else:
        print("[postgresql] skipped: set TEST_POSTGRES_URL or run through scripts/with-postgres.sh")
