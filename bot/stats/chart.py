"""The /stats chart: accuracy per domain beside its exam weight, and the answers of the last weeks.

Drawn with matplotlib's object API straight onto the Agg canvas: no pyplot, no global backend state
and no display, so it is safe on a headless server and in a worker thread (it runs off the event loop).
It is drawn per /stats, so it stays small and plain: about 50 ms (benchmarks/chart_render.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from functools import partial
from io import BytesIO

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.domain.exam import DOMAINS, PASS_MARK
from bot.domain.figures import percent
from bot.domain.models import DomainRecord
from bot.outgoing import Drawing
from bot.turn import Turn

ACTIVITY_DAYS = 56  # eight weeks
GOOD, WEAK, NONE = "#2e7d32", "#ef6c00", "#bdbdbd"


def domain_bars(axes: Axes, records: Mapping[int, DomainRecord], weight: str) -> None:
    """Accuracy per domain as bars as thick as the domain's exam weight, D1 at the top, each labelled
    `D1 Short (<weight>): 67% of 12` (`weight` formats the domain's weight), the pass mark dashed.
    The /stats chart and the group report draw their domains with it."""
    rows = range(len(DOMAINS), 0, -1)
    heaviest = max(d.weight for d in DOMAINS)
    values, colours = [], []
    for row, domain in zip(rows, DOMAINS, strict=True):
        record = records.get(domain.number, DomainRecord())
        share = percent(record.correct, record.answered)
        values.append(share)
        colours.append(NONE if not record.answered else GOOD if share >= PASS_MARK else WEAK)
        shown = f"{share}% of {record.answered}" if record.answered else "no answers"
        axes.text(-3, row, f"D{domain.number} {domain.short} ({weight.format(weight=domain.weight)}): "
                  f"{shown}", va="center", ha="right", fontsize=8)
    axes.barh(rows, values, height=[0.25 + 0.6 * d.weight / heaviest for d in DOMAINS], color=colours)
    axes.axvline(PASS_MARK, color="#616161", linestyle="--", linewidth=1)
    axes.set_yticks([])
    axes.set_ylim(0.4, len(DOMAINS) + 0.6)
    axes.set_xlim(0, 100)
    axes.set_xticks([0, 50, PASS_MARK, 100])


def render(records: Mapping[int, DomainRecord], activity: Sequence[tuple[int, int]], today: date) -> bytes:
    """A PNG. `activity` is (answered, correct) per day, oldest first, ending today.

    Text is what costs (each label is laid out glyph by glyph), so labels are few and placed by hand:
    no automatic tick labels, legends or title placement.
    """
    figure = Figure(figsize=(8, 6.4), dpi=90)
    accuracy = figure.add_axes((0.36, 0.44, 0.6, 0.5))  # room on the left for the domain labels
    days = figure.add_axes((0.06, 0.06, 0.9, 0.28))
    domain_bars(accuracy, records, "{weight}%")
    title = f"Accuracy by domain (weight in brackets and as bar thickness; dashed: {PASS_MARK}%)"
    figure.text(0.5, 0.96, title,
                fontsize=10, ha="center")

    # Two filled step outlines (all answers, then the right ones over them) read as stacked bars
    # and draw as two shapes instead of a hundred rectangles.
    edges = range(len(activity) + 1)
    days.stairs([n for n, _ in activity], edges, fill=True, color=WEAK)
    days.stairs([c for _, c in activity], edges, fill=True, color=GOOD)
    ticks = list(range(len(activity) - 1, -1, -14))[::-1]
    days.set_xticks([t + 0.5 for t in ticks],
                    [f"{today - timedelta(days=len(activity) - 1 - t):%b %d}" for t in ticks], fontsize=8)
    days.set_xlim(0, len(activity))
    busiest = max((n for n, _ in activity), default=0)
    days.set_yticks([0, busiest] if busiest else [0])
    days.set_title(f"Answers per day, last {len(activity) // 7} weeks: right (green), wrong (orange)",
                   fontsize=10, y=1.01)
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def stats_drawing(turn: Turn) -> Drawing | None:
    """The chart for this learner, to draw once the transaction has ended (bot.drawings), or None
    before their first answer."""
    records = await turn.tx.answers.domain_records(turn.learner.id)
    if not records:
        return None
    first = turn.today - timedelta(days=ACTIVITY_DAYS - 1)
    answered: Counter[date] = Counter()
    right: Counter[date] = Counter()
    for answer in await turn.tx.answers.answers_since(turn.learner.id, turn.day_start(first)):
        day = answer.answered_at.astimezone(turn.zone).date()
        answered[day] += 1
        right[day] += answer.correct
    activity = [(answered[first + timedelta(days=i)], right[first + timedelta(days=i)])
                for i in range(ACTIVITY_DAYS)]
    return Drawing(f"stats-{turn.today:%Y%m%d}.png", partial(render, records, activity, turn.today))
