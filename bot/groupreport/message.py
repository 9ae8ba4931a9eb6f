"""The report as one message: its text and chart, on request or as the scheduler's weekly push."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from bot.domain.models import Group
from bot.domain.questions import Bank
from bot.groupreport import chart
from bot.groupreport.figures import gather
from bot.groupreport.texts import report_text
from bot.outgoing import Drawing, Outgoing
from bot.ports.storage import UnitOfWork

WEEKLY_FOOTER = "(Every Monday, as you asked: /groupreport weekly off in the group stops it.)"


async def report_message(tx: UnitOfWork, bank: Bank, group: Group, now: datetime, today: date,
                         footer: str = "") -> Outgoing:
    report = await gather(tx, group, now, today)
    text = report_text(report, bank) + (f"\n\n{footer}" if footer else "")
    drawing = Drawing(f"group-report-{today:%Y%m%d}.png", partial(chart.render, report.domains, report.title))
    return Outgoing(text, drawing=drawing, private=True)  # drawn after the transaction (bot.drawings)
