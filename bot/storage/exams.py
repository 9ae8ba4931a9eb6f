"""Sittings of the real exam that learners report."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.domain.models import (
    ExamAttempt,
)
from bot.storage.repo import Repo
from bot.storage.schema import (
    ExamAttemptRow,
)


class ExamRepo(Repo):
    async def record_exam_attempt(self, learner_id: int, taken_on: date, passed: bool,
                                  now: datetime) -> None:
        """Records a sitting of the real exam; a second report for the same day corrects the first."""
        stmt = select(ExamAttemptRow).where(ExamAttemptRow.learner_id == learner_id,
                                            ExamAttemptRow.taken_on == taken_on)
        row = (await self._s.execute(stmt)).scalar_one_or_none()
        if row is None:
            try:
                async with self._s.begin_nested():
                    self._s.add(ExamAttemptRow(learner_id=learner_id, taken_on=taken_on,
                                               passed=passed, recorded_at=now))
                return
            except IntegrityError:  # recorded concurrently (a double press)
                row = (await self._s.execute(stmt)).scalar_one()
        row.passed, row.recorded_at = passed, now

    async def exam_attempts(self, learner_id: int) -> list[ExamAttempt]:
        stmt = (select(ExamAttemptRow).where(ExamAttemptRow.learner_id == learner_id)
                .order_by(ExamAttemptRow.taken_on))
        return [ExamAttempt(r.taken_on, r.passed) for r in await self._s.scalars(stmt)]
