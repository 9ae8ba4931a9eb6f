"""Rendering within Telegram's limits, without I/O."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from adapters.telegram.messenger import LatestOnly
from adapters.telegram.render import (
    MAX_ALERT,
    MAX_CAPTION,
    MAX_TEXT,
    alert_text,
    keyboard,
    render,
    split_text,
    to_html,
    visible_length,
)
from bot.outgoing import Choice, Image, Outgoing
from bot.practice.texts import answer_buttons

CHART = Image("chart.png", b"png")


def test_everything_is_escaped_and_the_title_is_bold() -> None:
    assert to_html("Q <b> & A\nx < y & z > w") == "<b>Q &lt;b&gt; &amp; A</b>\nx &lt; y &amp; z &gt; w"
    assert to_html("one line <i>") == "one line &lt;i&gt;"
    assert to_html("\nblank title") == "\nblank title"


def test_split_prefers_line_breaks_and_counts_utf16_units() -> None:
    text = "\n".join(["a" * 3000, "b" * 3000, "c" * 10])
    assert split_text(text) == ["a" * 3000, "b" * 3000 + "\n" + "c" * 10]
    emoji = "🙂" * 3000  # 2 UTF-16 units each: 6000 units in one line
    parts = split_text(emoji)
    assert [visible_length(p) for p in parts] == [4096, 1904] and "".join(parts) == emoji
    words = ("word " * 2000).strip()
    parts = split_text(words)
    assert all(visible_length(p) <= MAX_TEXT for p in parts) and "".join(parts) == words
    assert parts[0].endswith(" ")  # cut after a space, not inside a word


def test_keyboard_rows_stay_short() -> None:
    rows = keyboard(answer_buttons(123456789)).inline_keyboard  # type: ignore[union-attr]
    assert [[b.text for b in row] for row in rows] == [["A", "B", "C", "D"]]
    labels = ["New York", "Chicago", "Denver", "Phoenix", "Los Angeles", "Anchorage", "Honolulu", "UTC"]
    rows = keyboard(tuple(Choice(label, f"1|z|{i}") for i, label in enumerate(labels))).inline_keyboard  # type: ignore[union-attr]
    assert all(len(row) <= 4 and sum(len(b.text) for b in row) <= 30 for row in rows)
    assert [b.text for row in rows for b in row] == labels
    assert keyboard(()) is None
    with pytest.raises(ValueError, match="64 bytes"):
        keyboard((Choice("Too long", "1|" + "x" * 63),))


def test_keyboard_rides_on_the_last_part() -> None:
    parts = render(Outgoing("x\n" * 5000, (Choice("Next", "1|n|d"),)))
    assert len(parts) == 3 and [p.keyboard is not None for p in parts] == [False, False, True]


def test_images_take_the_text_as_caption_when_it_fits() -> None:
    [part] = render(Outgoing("Your CMAS progress\nAnswered: 3", image=CHART))
    assert part.photo is CHART and part.html == "<b>Your CMAS progress</b>\nAnswered: 3"
    long = "Your CMAS progress\n" + "D1 70%\n" * (MAX_CAPTION // 5)
    photo, *rest = render(Outgoing(long, (Choice("Next", "1|n|d"),), image=CHART))
    assert photo.photo is CHART and photo.html == "Your CMAS progress" and photo.keyboard is None
    assert rest[0].html.startswith("D1 70%") and rest[-1].keyboard is not None
    assert "\n".join(p.html for p in rest) == long.partition("\n")[2]


def test_alerts_are_short_plain_replies() -> None:
    assert alert_text(Outgoing("Correct, +10", private=True)) == "Correct, +10"
    assert alert_text(Outgoing("x" * (MAX_ALERT + 1), private=True)) is None
    assert alert_text(Outgoing("Pick", (Choice("Yes", "1|f|y"),), private=True)) is None


async def test_queued_edits_of_one_message_collapse_into_the_newest() -> None:
    edits = LatestOnly()
    sent: list[str] = []
    held = asyncio.Event()

    def edit(text: str, wait: bool = False) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            if wait:
                await held.wait()  # this edit is held up by the group's flood limit
            sent.append(text)
        return run

    first = asyncio.create_task(edits.run("m1", edit("1 answered", wait=True)))
    await asyncio.sleep(0)
    for text in ("2 answered", "3 answered", "4 answered"):
        await edits.run("m1", edit(text))  # queued behind the first: returns at once
    await edits.run("m2", edit("another message"))  # other messages are not held up
    assert sent == ["another message"]
    held.set()
    await first
    assert sent == ["another message", "1 answered", "4 answered"]
