"""Learners: one per person per platform, their settings and first contact."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.models import (
    DEFAULT_GOAL,
    Learner,
)
from bot.events import Person
from bot.storage.repo import Repo, to_learner
from bot.storage.schema import (
    AnswerRow,
    CardRow,
    ExamAttemptRow,
    GroupAnswerRow,
    GroupMemberRow,
    GroupPointsRow,
    LearnerRow,
    MockItemRow,
    MockRow,
    PromptRow,
    QuestionReportRow,
)


class LearnerRepo(Repo):
    async def learner(self, person: Person, now: datetime, private_chat_id: str | None) -> Learner:
        """The learner behind `person`, created on first contact; keeps name and DM chat fresh."""
        stmt = select(LearnerRow).where(
            LearnerRow.platform == person.platform, LearnerRow.user_id == person.user_id
        )
        row = (await self._s.execute(stmt)).scalar_one_or_none()
        if row is None:
            row = LearnerRow(
                platform=person.platform, user_id=person.user_id,
                display_name=person.display_name[:128], daily_goal=DEFAULT_GOAL,
                private_chat_id=private_chat_id, unreachable=False, created_at=now,
            )
            try:
                async with self._s.begin_nested():
                    self._s.add(row)
                self._fresh.learners.add(row.id)
                self._fresh.without_prompts.add(row.id)
            except IntegrityError:  # created concurrently by another event from the same person
                row = (await self._s.execute(stmt)).scalar_one()
        if row.display_name != person.display_name[:128]:
            row.display_name = person.display_name[:128]
        if private_chat_id and (row.private_chat_id != private_chat_id or row.unreachable):
            row.private_chat_id, row.unreachable = private_chat_id, False
        await self._s.flush()
        return to_learner(row)

    async def find_learner(self, platform: str, user_id: str) -> Learner | None:
        row = (await self._s.execute(select(LearnerRow).where(
            LearnerRow.platform == platform, LearnerRow.user_id == user_id))).scalar_one_or_none()
        return to_learner(row) if row else None

    async def update_learner(self, learner: Learner, **changes: Any) -> Learner:
        """Stores new values for the given settings fields and returns the updated learner."""
        allowed = {"timezone", "remind_at", "exam_date", "daily_goal", "unreachable", "streak",
                   "certified_on", "last_readiness"}
        assert set(changes) <= allowed, changes
        values = {k: (v.strftime("%H:%M") if isinstance(v, time) else v) for k, v in changes.items()
                  if k not in {"streak", "last_readiness"}}
        if "last_readiness" in changes:
            mean, chance = changes["last_readiness"] or (None, None)
            values |= {"readiness_mean": mean, "readiness_pass": chance}
        if (streak := changes.get("streak")) is not None:
            values |= {"streak_days": streak.days, "streak_day": streak.last_day,
                       "streak_freezes": streak.freezes}
        await self._write(update(LearnerRow).where(LearnerRow.id == learner.id).values(**values))
        return replace(learner, **changes)

    async def forget(self, learner_id: int) -> None:
        """Deletes every row about the learner (explicitly, so it holds without FK cascades too)."""
        await self._s.execute(delete(MockItemRow).where(MockItemRow.mock_id.in_(
            select(MockRow.id).where(MockRow.learner_id == learner_id))))
        for table, column in ((MockRow, MockRow.learner_id),
                              (ExamAttemptRow, ExamAttemptRow.learner_id),
                              (GroupAnswerRow, GroupAnswerRow.learner_id),
                              (GroupMemberRow, GroupMemberRow.learner_id),
                              (GroupPointsRow, GroupPointsRow.learner_id),
                              (AnswerRow, AnswerRow.learner_id), (CardRow, CardRow.learner_id),
                              (QuestionReportRow, QuestionReportRow.learner_id),
                              (PromptRow, PromptRow.learner_id)):
            await self._s.execute(delete(table).where(column == learner_id))
        await self._s.execute(delete(LearnerRow).where(LearnerRow.id == learner_id))
