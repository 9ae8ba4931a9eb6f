"""The group report in words. Most-missed questions are named by id and a shortened stem, never
with their answers: the report may be forwarded to the group."""

from __future__ import annotations

from bot.domain.exam import DOMAINS
from bot.domain.figures import overall, percent
from bot.domain.models import DomainRecord, MissedQuestion
from bot.domain.questions import Bank
from bot.groupreport.figures import (
    EXAM_WITHIN_DAYS,
    MISSED_MIN_MEMBERS,
    QUIET_FOR,
    REPORT_AT,
    WINDOW,
    GroupReport,
)

NAMES_SHOWN = 40  # a big group's active list stays one readable message
STEM_CHARS = 60

USAGE = ("/groupreport: this week's report for the group, sent to you privately. /groupreport weekly "
         f"on|off: the report every Monday at {REPORT_AT:%H:%M} your time, by private message.")
NOT_A_GROUP = "/groupreport works in a group chat, for its admins: send it there."
NOT_ADMIN = "Only the group's admins can see its report."


def _share(record: DomainRecord) -> str:
    return f"{percent(record.correct, record.answered)}% of {record.answered}"


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")


def short_stem(stem: str) -> str:
    line = " ".join(stem.split())
    if len(line) <= STEM_CHARS:
        return line
    return line[:STEM_CHARS].rsplit(" ", 1)[0] + "…"


def _missed(rank: int, missed: MissedQuestion, bank: Bank) -> str:
    question = bank.get(missed.question_id)
    stem = f' "{short_stem(question.stem)}"' if question is not None else ""
    return (f"{rank}. {missed.question_id}{stem}: missed {percent(missed.missed, missed.answered)}% "
            f"of {missed.answered} answers ({missed.members} members)")


def _days_to(days: int) -> str:
    return "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"


def report_text(report: GroupReport, bank: Bank) -> str:
    days = WINDOW.days
    lines = [f"Group report: {report.title} · last {days} days",
             f"Active: {len(report.active)} of {report.members} members answered at least one "
             f"question" + (f": {_names(report.active)}" if report.active else "."),
             "",
             "Accuracy by domain (exam weight · group accuracy of its answers):"]
    for d in DOMAINS:
        record = report.domains.get(d.number)
        lines.append(f"D{d.number} {d.short}: weight {d.weight}% · "
                     + (_share(record) if record else "no answers"))
    total = overall(report.domains)
    if total.answered:
        lines.append(f"All domains: {_share(total)}")
    lines += ["", f"Most missed (answered by {MISSED_MIN_MEMBERS}+ members; answers not shown):"]
    lines += [_missed(i, m, bank) for i, m in enumerate(report.missed, 1)] or \
        [f"None: no question {MISSED_MIN_MEMBERS} or more members answered was missed."]
    lines += ["", f"Exam within {EXAM_WITHIN_DAYS} days, nothing answered for {QUIET_FOR.days} days:"]
    lines += [f"{q.name}: exam {_days_to((q.exam_date - report.today).days)} ({q.exam_date:%b %d})"
              for q in report.quiet] or ["Nobody with an exam that close has gone quiet."]
    return "\n".join(lines)
