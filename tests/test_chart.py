"""The /stats chart: a real PNG, attached once there are answers, drawn fast enough to run per /stats."""

from __future__ import annotations

import asyncio
import struct
import time
from datetime import date

import pytest

from bot.domain.models import DomainRecord
from bot.stats import chart
from bot.stats.chart import ACTIVITY_DAYS, render
from tests.chat import Chatter
from tests.held_drawing import HeldDrawing

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE) and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_render_draws_a_png_quickly() -> None:
    records = {d: DomainRecord(10 * d, 7 * d) for d in range(1, 8)}  # D8 has no answers yet
    activity = [(i % 9, i % 5) for i in range(ACTIVITY_DAYS)]
    render(records, activity, date(2026, 3, 2))  # fonts load on the first one
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        png = render(records, activity, date(2026, 3, 2))
        timings.append(time.perf_counter() - start)
    assert png_size(png) == (720, 576)
    assert min(timings) < 1.0  # about 0.1 s on a loaded 2-core machine: benchmarks/chart_render.py
    assert render({}, [(0, 0)] * ACTIVITY_DAYS, date(2026, 3, 2)).startswith(PNG_SIGNATURE)


async def test_stats_comes_with_the_chart_once_there_are_answers(chat: Chatter) -> None:
    await chat.send("/stats")
    assert chat.last[0].image is None
    await chat.send("/quiz")
    await chat.press("B")
    reply = (await chat.send("/stats"))[0]
    assert reply.image is not None and reply.image.filename == "stats-20260302.png"
    assert png_size(reply.image.png) == (720, 576)


async def test_the_chart_is_drawn_once_the_transaction_has_ended(chat: Chatter,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawn inside it, a /stats held SQLite's write lock while the chart was drawn (about 140 ms),
    and every other event waited for it."""
    await chat.send("/quiz")
    await chat.press("B")
    held = HeldDrawing(render)
    monkeypatch.setattr(chart, "render", held)
    stats = asyncio.create_task(chat.send("/stats"))
    assert await held.started()
    [question] = await asyncio.wait_for(chat.as_user("u2").send("/quiz"), 2)  # not held up by the drawing
    held.release()
    [reply] = await stats
    assert question.choices and reply.image is not None and png_size(reply.image.png) == (720, 576)


async def test_a_chart_that_fails_to_draw_leaves_the_stats_as_text(chat: Chatter,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    await chat.send("/quiz")
    await chat.press("B")
    as_text = (await chat.send("/stats"))[0].text

    def broken(*_args: object) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(chart, "render", broken)
    [reply] = await chat.send("/stats")
    assert reply.text == as_text and reply.image is None and reply.drawing is None
