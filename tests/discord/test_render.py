"""Rendering within Discord's limits: pure, no client."""

from __future__ import annotations

from adapters.discord_bot.buttons import TEMPLATE, CoreButton
from adapters.discord_bot.render import CONTENT_MAX, EMBED_MAX, pages, single_page, split
from bot import payloads
from bot.outgoing import Choice, Image, Outgoing

NEXT = Choice("Next", payloads.encode(payloads.Next(daily=False)))


def test_short_text_is_content_long_text_an_embed() -> None:
    [short] = pages(Outgoing("x" * CONTENT_MAX, (NEXT,)))
    assert short.send_kwargs()["content"] == "x" * CONTENT_MAX and "view" in short.send_kwargs()
    [long] = pages(Outgoing("y" * (CONTENT_MAX + 1)))
    assert long.send_kwargs()["embed"].description == "y" * (CONTENT_MAX + 1)
    edit = long.edit_kwargs()
    assert edit["content"] is None and edit["view"] is None and edit["attachments"] == []


def test_text_over_an_embed_splits_at_lines_with_buttons_on_the_last_page() -> None:
    lines = [f"line {i:04d} " + "z" * 80 for i in range(60)]  # about 5600 characters
    result = pages(Outgoing("\n".join(lines), (NEXT,), Image("chart.png", b"\x89PNG")))
    assert len(result) == 3
    assert all(len(p.text) <= CONTENT_MAX for p in result)
    assert "\n".join(p.text for p in result) == "\n".join(lines)  # nothing lost, cut at line ends
    assert ["view" in p.send_kwargs() for p in result] == [False, False, True]
    [chart] = result[-1].send_kwargs()["files"]
    assert chart.filename == "chart.png"


def test_an_edit_is_one_message_cut_to_an_embed() -> None:
    page = single_page(Outgoing("w" * 5000, replace=True))
    [embed] = page.edit_kwargs()["embeds"]
    assert len(embed.description) == EMBED_MAX and embed.description.endswith("…")


def test_split_cuts_an_overlong_line() -> None:
    assert split("a" * 4500, 2000) == ["a" * 2000, "a" * 2000, "a" * 500]
    assert split("a" * 4000, 2000) == ["a" * 2000, "a" * 2000]


def test_buttons_carry_the_core_payload_within_discord_limits() -> None:
    choices = tuple(Choice(f"{letter} " * 50, payloads.encode(payloads.Answer(10**17, letter)))
                    for letter in "ABCD")
    view = pages(Outgoing("q", choices))[0].send_kwargs()["view"]
    components = view.to_components()
    buttons = [b for row in components for b in row["components"]]
    assert [b["custom_id"] for b in buttons] == ["cmas:" + c.payload for c in choices]
    assert all(len(b["label"]) <= 80 and len(b["custom_id"]) <= 100 for b in buttons)
    assert all(TEMPLATE.fullmatch(b["custom_id"]) for b in buttons)
    assert [len(row["components"]) for row in components] == [4]


def test_many_choices_fill_rows_of_five_up_to_twenty_five() -> None:
    choices = tuple(Choice(str(i), f"1|z|{i % 8}") for i in range(30))
    view = pages(Outgoing("zones", choices))[0].send_kwargs()["view"]
    assert [len(row["components"]) for row in view.to_components()] == [5, 5, 5, 5, 5]
    assert isinstance(view.children[0], CoreButton)
