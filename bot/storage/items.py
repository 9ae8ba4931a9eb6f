"""Item quality: how learners did on each question the first time, and the problems they report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, case, desc, func, select, update

from bot.domain.models import DomainRecord, ItemAnswer, ProblemReport
from bot.storage.repo import Repo
from bot.storage.schema import AnswerRow, QuestionReportRow

# Every graded private answer shows its question's first-try rate (bot.storage.repo.core).
_FIRST_TRIES = (select(func.count(), func.sum(case((AnswerRow.correct, 1), else_=0)))
                .where(AnswerRow.question_id == bindparam("question"), AnswerRow.is_review.is_(False),
                       func.coalesce(AnswerRow.question_version, 1) == bindparam("version")))


class ItemRepo(Repo):
    async def first_tries(self, question_id: str, version: int) -> DomainRecord:
        """Learners' first answers to this version of a question, and how many were right."""
        answered, correct = (await self._s.execute(_FIRST_TRIES, {"question": question_id,
                                                                  "version": version})).one()
        return DomainRecord(int(answered), int(correct or 0))

    async def first_answers(self) -> list[ItemAnswer]:
        """Every learner's first answer to every question version, for item analysis."""
        stmt = (select(AnswerRow.learner_id, AnswerRow.question_id,
                       func.coalesce(AnswerRow.question_version, 1), AnswerRow.choice, AnswerRow.correct)
                .where(AnswerRow.is_review.is_(False)).order_by(AnswerRow.id))
        return [ItemAnswer(lid, qid, int(version), choice, correct)
                for lid, qid, version, choice, correct in await self._s.execute(stmt)]

    async def report(self, learner_id: int, question_id: str, version: int, kind: str,
                     now: datetime) -> None:
        self._s.add(QuestionReportRow(learner_id=learner_id, question_id=question_id,
                                      question_version=version, kind=kind, created_at=now))

    async def add_report_text(self, learner_id: int, text: str, since: datetime) -> str | None:
        """Attaches a note to the learner's latest report made since `since`; its question id, or
        None when there is none."""
        stmt = (select(QuestionReportRow.id, QuestionReportRow.question_id)
                .where(QuestionReportRow.learner_id == learner_id, QuestionReportRow.created_at >= since)
                .order_by(desc(QuestionReportRow.created_at), desc(QuestionReportRow.id)).limit(1))
        row = (await self._s.execute(stmt)).one_or_none()
        if row is None:
            return None
        await self._write(update(QuestionReportRow).where(QuestionReportRow.id == row[0]).values(text=text))
        return str(row[1])

    async def reports(self) -> list[ProblemReport]:
        stmt = select(QuestionReportRow).order_by(QuestionReportRow.id)
        return [ProblemReport(r.question_id, r.question_version, r.kind, r.text, r.created_at)
                for r in await self._s.scalars(stmt)]
