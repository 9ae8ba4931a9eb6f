"""Learners: one per person (their accounts on each platform are identities), their settings and
first contact."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, time
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, select, tuple_, update

from bot.domain.models import (
    DEFAULT_GOAL,
    Learner,
)
from bot.events import Person
from bot.storage.repo import Repo, core, to_learner
from bot.storage.schema import (
    AnswerRow,
    CardRow,
    ExamAttemptRow,
    GroupAnswerRow,
    GroupMemberRow,
    GroupPointsRow,
    GroupReportSubscriptionRow,
    IdentityRow,
    LearnerRow,
    LinkCodeRow,
    LinkGuessRow,
    MockItemRow,
    MockRow,
    PromptRow,
    QuestionReportRow,
)

_LEARNERS, _IDENTITIES = core(LearnerRow), core(IdentityRow)
_BY_ACCOUNT = (select(_LEARNERS, _IDENTITIES.c.private_chat_id.label("account_chat"),
                      _IDENTITIES.c.unreachable.label("account_unreachable"))
               .join(_IDENTITIES, _IDENTITIES.c.learner_id == _LEARNERS.c.id)
               .where(_IDENTITIES.c.platform == bindparam("platform"),
                      _IDENTITIES.c.user_id == bindparam("user_id")))
_NEW_IDENTITY = insert(_IDENTITIES)
_RENAME = update(_LEARNERS).where(_LEARNERS.c.id == bindparam("learner")).values(
    display_name=bindparam("name"))
_ACCOUNT_CHAT = update(_IDENTITIES).where(
    _IDENTITIES.c.platform == bindparam("on"), _IDENTITIES.c.user_id == bindparam("account"),
).values(private_chat_id=bindparam("chat"), unreachable=False)
_PUSHES_CHAT = update(_LEARNERS).where(_LEARNERS.c.id == bindparam("learner")).values(
    private_chat_id=bindparam("chat"), unreachable=False)


class LearnerRepo(Repo):
    async def learner(self, person: Person, now: datetime, private_chat_id: str | None) -> Learner:
        """The learner behind `person` (one query, through the account's identity), created on first
        contact; keeps the name and the account's DM chat fresh. Core statements: every event
        starts here, and ORM loading and flushing cost more than the query."""
        account = {"platform": person.platform, "user_id": person.user_id}
        name = person.display_name[:128]
        row = (await self._s.execute(_BY_ACCOUNT, account)).one_or_none()
        if row is None:
            # No savepoint: the learner row's unique account is the claim, and only its holder goes
            # on to make the identity.
            learner_id = await self._new_learner(person.platform, person.user_id, name, private_chat_id,
                                                 False, now)
            if learner_id is not None:
                await self._s.execute(_NEW_IDENTITY, {
                    **account, "learner_id": learner_id, "private_chat_id": private_chat_id,
                    "unreachable": False, "linked_at": now})
                self._fresh.learners.add(learner_id)
                self._fresh.without_prompts.add(learner_id)
                return Learner(learner_id, person.platform, person.user_id, name, None, None, None,
                               DEFAULT_GOAL, private_chat_id, False)
            # made by a concurrent first contact from the same person, committed by now
            row = (await self._s.execute(_BY_ACCOUNT, account)).one()
        learner = to_learner(row)
        if learner.display_name != name:
            await self._s.execute(_RENAME, {"learner": learner.id, "name": name})
            learner = replace(learner, display_name=name)
        if private_chat_id and (row.account_chat != private_chat_id or row.account_unreachable):
            await self._s.execute(_ACCOUNT_CHAT, {"on": person.platform, "account": person.user_id,
                                                  "chat": private_chat_id})
            if (learner.platform, learner.user_id) == (person.platform, person.user_id):  # pushes go here
                await self._s.execute(_PUSHES_CHAT, {"learner": learner.id, "chat": private_chat_id})
                learner = replace(learner, private_chat_id=private_chat_id, unreachable=False)
        return learner

    async def members(self, platform: str, chat_id: str, user_ids: Collection[str]) -> dict[str, Learner]:
        """The learners behind these accounts who are members of the group, by user id, in one query
        (a burst of group presses reads its pressers together)."""
        stmt = (select(IdentityRow.user_id, LearnerRow)
                .join(IdentityRow, IdentityRow.learner_id == LearnerRow.id)
                .join(GroupMemberRow, and_(GroupMemberRow.learner_id == LearnerRow.id,
                                           GroupMemberRow.platform == platform,
                                           GroupMemberRow.chat_id == chat_id))
                .where(IdentityRow.platform == platform, IdentityRow.user_id.in_(user_ids)))
        return {user_id: to_learner(row) for user_id, row in await self._s.execute(stmt)}

    async def find_learner(self, platform: str, user_id: str) -> Learner | None:
        """The account's learner, read afresh (a merge may have changed the row this event loaded)."""
        stmt = (select(LearnerRow).join(IdentityRow, IdentityRow.learner_id == LearnerRow.id)
                .where(IdentityRow.platform == platform, IdentityRow.user_id == user_id)
                .execution_options(populate_existing=True))
        row = (await self._s.execute(stmt)).scalar_one_or_none()
        return to_learner(row) if row else None

    async def update_learner(self, learner: Learner, **changes: Any) -> Learner:
        """Stores new values for the given settings fields and returns the updated learner."""
        allowed = {"timezone", "remind_at", "exam_date", "daily_goal", "unreachable", "streak",
                   "certified_on", "last_readiness", "digest"}
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
        """Deletes every row about the learner, on every linked account (explicitly, so it holds
        without FK cascades too)."""
        accounts = select(IdentityRow.platform, IdentityRow.user_id).where(
            IdentityRow.learner_id == learner_id)
        await self._s.execute(delete(LinkGuessRow).where(
            tuple_(LinkGuessRow.platform, LinkGuessRow.user_id).in_(accounts)))
        await self._s.execute(delete(MockItemRow).where(MockItemRow.mock_id.in_(
            select(MockRow.id).where(MockRow.learner_id == learner_id))))
        for table, column in ((MockRow, MockRow.learner_id),
                              (ExamAttemptRow, ExamAttemptRow.learner_id),
                              (GroupAnswerRow, GroupAnswerRow.learner_id),
                              (GroupMemberRow, GroupMemberRow.learner_id),
                              (GroupPointsRow, GroupPointsRow.learner_id),
                              (GroupReportSubscriptionRow, GroupReportSubscriptionRow.learner_id),
                              (AnswerRow, AnswerRow.learner_id), (CardRow, CardRow.learner_id),
                              (QuestionReportRow, QuestionReportRow.learner_id),
                              (PromptRow, PromptRow.learner_id),
                              (LinkCodeRow, LinkCodeRow.learner_id),
                              (IdentityRow, IdentityRow.learner_id)):
            await self._s.execute(delete(table).where(column == learner_id))
        await self._s.execute(delete(LearnerRow).where(LearnerRow.id == learner_id))
