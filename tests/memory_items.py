"""In-memory item statistics and problem reports (bot/storage/items.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain.models import DomainRecord, ItemAnswer, ProblemReport
from tests.memory_repos import MemoryRepo
from tests.memory_tables import utc


class MemoryItemRepo(MemoryRepo):
    async def first_tries(self, question_id: str, version: int) -> DomainRecord:
        firsts = [a.record for a in self._t.answers.values()
                  if a.record.question_id == question_id and not a.record.is_review
                  and (a.record.question_version or 1) == version]
        return DomainRecord(len(firsts), sum(r.correct for r in firsts))

    async def first_answers(self) -> list[ItemAnswer]:
        return [ItemAnswer(a.learner_id, a.record.question_id, a.record.question_version or 1,
                           a.record.choice, a.record.correct)
                for a in self._t.answers.values() if not a.record.is_review]

    async def report(self, learner_id: int, question_id: str, version: int, kind: str,
                     now: datetime) -> None:
        self._t.reports[self._t.next_id("question_reports")] = (
            learner_id, ProblemReport(question_id, version, kind, None, utc(now)))

    async def add_report_text(self, learner_id: int, text: str, since: datetime) -> str | None:
        mine = [(report.created_at, rid) for rid, (lid, report) in self._t.reports.items()
                if lid == learner_id and report.created_at >= utc(since)]
        if not mine:
            return None
        rid = max(mine)[1]
        lid, report = self._t.reports[rid]
        self._t.reports[rid] = (lid, replace(report, text=text))
        return report.question_id

    async def reports(self) -> list[ProblemReport]:
        return [report for _, report in self._t.reports.values()]
