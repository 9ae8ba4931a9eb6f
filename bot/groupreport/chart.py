"""The group report's chart: the group's accuracy per domain, each bar as thick as the domain's exam
weight, drawn like the /stats chart (bot.stats.chart): matplotlib's object API on the Agg canvas."""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO

from matplotlib.figure import Figure

from bot.domain.exam import DOMAINS, PASS_MARK
from bot.domain.figures import percent
from bot.domain.models import DomainRecord
from bot.stats.chart import GOOD, NONE, WEAK


def render(records: Mapping[int, DomainRecord], title: str) -> bytes:
    """A PNG: one bar per domain, labelled with its weight, the group's accuracy and the answers."""
    figure = Figure(figsize=(8, 4.2), dpi=90)
    axes = figure.add_axes((0.4, 0.1, 0.56, 0.78))
    rows = range(len(DOMAINS), 0, -1)  # D1 at the top
    heaviest = max(d.weight for d in DOMAINS)
    values, colours = [], []
    for row, domain in zip(rows, DOMAINS, strict=True):
        record = records.get(domain.number, DomainRecord())
        share = percent(record.correct, record.answered)
        values.append(share)
        colours.append(NONE if not record.answered else GOOD if share >= PASS_MARK else WEAK)
        shown = f"{share}% of {record.answered}" if record.answered else "no answers"
        axes.text(-3, row, f"D{domain.number} {domain.short} (weight {domain.weight}%): {shown}",
                  va="center", ha="right", fontsize=8)
    axes.barh(rows, values, height=[0.25 + 0.6 * d.weight / heaviest for d in DOMAINS], color=colours)
    axes.axvline(PASS_MARK, color="#616161", linestyle="--", linewidth=1)
    axes.set_yticks([])
    axes.set_ylim(0.4, len(DOMAINS) + 0.6)
    axes.set_xlim(0, 100)
    axes.set_xticks([0, 50, PASS_MARK, 100])
    figure.text(0.5, 0.94, f"{title[:48]}: accuracy by domain, last 7 days "
                f"(bar thickness: exam weight; dashed: {PASS_MARK}%)", fontsize=9, ha="center")
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
