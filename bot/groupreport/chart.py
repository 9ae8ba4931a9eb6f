"""The group report's chart: the group's accuracy per domain, each bar as thick as the domain's exam
weight, drawn with the /stats chart's bars (bot.stats.chart): matplotlib's object API on the Agg canvas."""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO

from matplotlib.figure import Figure

from bot.domain.exam import PASS_MARK
from bot.domain.models import DomainRecord
from bot.stats.chart import domain_bars


def render(records: Mapping[int, DomainRecord], title: str) -> bytes:
    """A PNG: one bar per domain, labelled with its weight, the group's accuracy and the answers."""
    figure = Figure(figsize=(8, 4.2), dpi=90)
    axes = figure.add_axes((0.4, 0.1, 0.56, 0.78))
    domain_bars(axes, records, "weight {weight}%")
    figure.text(0.5, 0.94, f"{title[:48]}: accuracy by domain, last 7 days "
                f"(bar thickness: exam weight; dashed: {PASS_MARK}%)", fontsize=9, ha="center")
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
