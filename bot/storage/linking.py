"""Linked accounts: identities, link codes, wrong-code counts, and folding one learner into another.

Reads select columns rather than rows: the merge changes rows with plain UPDATEs, and a row already
loaded in the session (the event's own learner and identity) would otherwise come back stale.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Date, delete, exists, insert, literal, select, update
from sqlalchemy.orm import aliased

from bot.domain.linking import Guesses, Identity, LinkCode
from bot.storage.points import ALL_TIME
from bot.storage.repo import Repo
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
    MockRow,
    PromptRow,
    PushRow,
    QuestionReportRow,
)

_IDENTITY = (IdentityRow.platform, IdentityRow.user_id, IdentityRow.learner_id,
             IdentityRow.private_chat_id, IdentityRow.unreachable, IdentityRow.linked_at)


class LinkRepo(Repo):
    async def identities(self, learner_id: int) -> list[Identity]:
        """The learner's accounts, the first linked first."""
        stmt = (select(*_IDENTITY).where(IdentityRow.learner_id == learner_id)
                .order_by(IdentityRow.linked_at, IdentityRow.platform))
        return [Identity(*row) for row in await self._s.execute(stmt)]

    async def issue_code(self, code_hash: str, identity: Identity, now: datetime,
                         expires_at: datetime) -> None:
        """Stores a new code for the learner, replacing any earlier one: one live code each."""
        await self._write(delete(LinkCodeRow).where(LinkCodeRow.learner_id == identity.learner_id))
        await self._s.execute(insert(LinkCodeRow).values(
            code_hash=code_hash, learner_id=identity.learner_id, platform=identity.platform,
            user_id=identity.user_id, created_at=now, expires_at=expires_at))

    async def find_code(self, code_hash: str) -> LinkCode | None:
        stmt = select(LinkCodeRow.learner_id, LinkCodeRow.platform, LinkCodeRow.user_id,
                      LinkCodeRow.expires_at, LinkCodeRow.used_at).where(LinkCodeRow.code_hash == code_hash)
        row = (await self._s.execute(stmt)).one_or_none()
        return LinkCode(*row) if row else None

    async def use_code(self, code_hash: str, now: datetime) -> bool:
        """Marks the code used; False if it already was (of two at once, one wins)."""
        result = await self._write(update(LinkCodeRow).where(
            LinkCodeRow.code_hash == code_hash, LinkCodeRow.used_at.is_(None)).values(used_at=now))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def guesses(self, platform: str, user_id: str) -> Guesses:
        stmt = select(LinkGuessRow.wrong, LinkGuessRow.locked_until).where(
            LinkGuessRow.platform == platform, LinkGuessRow.user_id == user_id)
        row = (await self._s.execute(stmt)).one_or_none()
        return Guesses(*row) if row else Guesses()

    async def set_guesses(self, platform: str, user_id: str, guesses: Guesses) -> None:
        """Stores the account's count; a clean count leaves no row."""
        await self._write(delete(LinkGuessRow).where(LinkGuessRow.platform == platform,
                                                     LinkGuessRow.user_id == user_id))
        if guesses != Guesses():
            await self._s.execute(insert(LinkGuessRow).values(
                platform=platform, user_id=user_id, wrong=guesses.wrong,
                locked_until=guesses.locked_until))

    async def merge(self, into: int, joining: int, take_cards: Collection[str], now: datetime) -> None:
        """Folds learner `joining` into `into` and deletes it: every row of its history moves over,
        its accounts with it. Of two cards for one question the one in `take_cards` (decided by
        bot.domain.linking) survives; points add up, per group and period too; memberships unite;
        an exam day both reported keeps `into`'s report. The caller stops a second running mock."""
        take = list(take_cards)
        await self._write(delete(CardRow).where(CardRow.learner_id == into, CardRow.question_id.in_(take)))
        await self._write(delete(CardRow).where(CardRow.learner_id == joining,
                                                CardRow.question_id.not_in(take)))
        for table in (CardRow, AnswerRow, PromptRow, MockRow, QuestionReportRow, PushRow):
            await self._move(table, into, joining)
        kept_days = select(ExamAttemptRow.taken_on).where(ExamAttemptRow.learner_id == into)
        await self._write(delete(ExamAttemptRow).where(ExamAttemptRow.learner_id == joining,
                                                       ExamAttemptRow.taken_on.in_(kept_days)))
        await self._move(ExamAttemptRow, into, joining)
        answered = select(GroupAnswerRow.prompt_id).where(GroupAnswerRow.learner_id == into)
        await self._write(delete(GroupAnswerRow).where(GroupAnswerRow.learner_id == joining,
                                                       GroupAnswerRow.prompt_id.in_(answered)))
        await self._move(GroupAnswerRow, into, joining)
        for chat_table in (GroupMemberRow, GroupReportSubscriptionRow):
            await self._unite(chat_table, into, joining)
        await self._add_group_points(into, joining)
        points = select(LearnerRow.points).where(LearnerRow.id == joining).scalar_subquery()
        await self._write(update(LearnerRow).where(LearnerRow.id == into)
                          .values(points=LearnerRow.points + points))
        await self._write(update(IdentityRow).where(IdentityRow.learner_id == joining)
                          .values(learner_id=into, linked_at=now))
        await self._write(delete(LinkCodeRow).where(LinkCodeRow.learner_id == joining))
        await self._write(delete(LearnerRow).where(LearnerRow.id == joining))
        await self._all_time_is_every_point(into)

    async def detach(self, identity: Identity, display_name: str, now: datetime) -> int:
        """Moves the account to a new learner of its own, with no history and default settings, and
        returns its id. The old learner keeps everything but the group reports this account's
        platform sends (an admin subscribes as the account they administer the group with); if its
        pushes went to this account they go to its first other account (the caller checks there is
        one)."""
        pushes_here = select(LearnerRow.id).where(
            LearnerRow.id == identity.learner_id, LearnerRow.platform == identity.platform,
            LearnerRow.user_id == identity.user_id)
        if (await self._s.execute(pushes_here)).first() is not None:
            rest = [i for i in await self.identities(identity.learner_id)
                    if (i.platform, i.user_id) != (identity.platform, identity.user_id)]
            await self.push_to(rest[0])
        new_id = await self._new_learner(identity.platform, identity.user_id, display_name,
                                         identity.private_chat_id, identity.unreachable, now)
        if new_id is None:  # push_to above moved the learner row off this account
            raise RuntimeError(f"{identity.platform} account {identity.user_id} still owns a learner row")
        await self._write(update(IdentityRow).where(
            IdentityRow.platform == identity.platform, IdentityRow.user_id == identity.user_id,
        ).values(learner_id=new_id, linked_at=now))
        await self._write(update(GroupReportSubscriptionRow).where(
            GroupReportSubscriptionRow.learner_id == identity.learner_id,
            GroupReportSubscriptionRow.platform == identity.platform).values(learner_id=new_id))
        return new_id

    async def push_to(self, identity: Identity) -> None:
        """Sends the learner's pushes to this account of theirs from now on (and to no other)."""
        await self._write(update(LearnerRow).where(LearnerRow.id == identity.learner_id).values(
            platform=identity.platform, user_id=identity.user_id,
            private_chat_id=identity.private_chat_id, unreachable=identity.unreachable))

    async def mark_unreachable(self, platform: str, user_id: str) -> None:
        """The platform refuses delivery to this account: no pushes while they would go to it."""
        await self._write(update(IdentityRow).where(
            IdentityRow.platform == platform, IdentityRow.user_id == user_id).values(unreachable=True))
        await self._write(update(LearnerRow).where(
            LearnerRow.platform == platform, LearnerRow.user_id == user_id).values(unreachable=True))

    async def _move(self, table: Any, into: int, joining: int) -> None:
        await self._write(update(table).where(table.learner_id == joining).values(learner_id=into))

    async def _unite(self, table: Any, into: int, joining: int) -> None:
        """Membership-like rows keyed by (platform, chat, learner): the union of both learners'."""
        mine = aliased(table)
        both = exists().where(mine.learner_id == into, mine.platform == table.platform,
                              mine.chat_id == table.chat_id)
        await self._write(delete(table).where(table.learner_id == joining, both))
        await self._move(table, into, joining)

    async def _add_group_points(self, into: int, joining: int) -> None:
        stmt = self._insert(GroupPointsRow).from_select(
            ["platform", "chat_id", "period", "learner_id", "points"],
            select(GroupPointsRow.platform, GroupPointsRow.chat_id, GroupPointsRow.period,
                   literal(into), GroupPointsRow.points).where(GroupPointsRow.learner_id == joining))
        await self._s.execute(stmt.on_conflict_do_update(
            index_elements=["platform", "chat_id", "period", "learner_id"],
            set_={"points": GroupPointsRow.points + stmt.excluded.points}))
        await self._write(delete(GroupPointsRow).where(GroupPointsRow.learner_id == joining))

    async def _all_time_is_every_point(self, learner_id: int) -> None:
        """Each group's all-time total counts every point the learner ever earned, as for a member
        who joins (PointsRepo.count_member): a group only one account was in gets the other's too."""
        stmt = self._insert(GroupPointsRow).from_select(
            ["platform", "chat_id", "period", "learner_id", "points"],
            select(GroupMemberRow.platform, GroupMemberRow.chat_id, literal(ALL_TIME, Date),
                   LearnerRow.id, LearnerRow.points)
            .join(LearnerRow, LearnerRow.id == GroupMemberRow.learner_id)
            .where(LearnerRow.id == learner_id, LearnerRow.points > 0))
        await self._s.execute(stmt.on_conflict_do_update(
            index_elements=["platform", "chat_id", "period", "learner_id"],
            set_={"points": stmt.excluded.points}))
