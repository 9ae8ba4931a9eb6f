"""Group chats and their members."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    Float,
    Subquery,
    and_,
    bindparam,
    case,
    cast,
    delete,
    distinct,
    func,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError

from bot.domain.models import (
    DEFAULT_ROUND_SECONDS,
    DomainRecord,
    Group,
    MissedQuestion,
    QuietMember,
)
from bot.storage.repo import Repo, core, to_group
from bot.storage.schema import (
    AnswerRow,
    GroupChatRow,
    GroupMemberRow,
    GroupReportSubscriptionRow,
    LearnerRow,
    MockItemRow,
    MockRow,
)

_CHATS, _MEMBERS = core(GroupChatRow), core(GroupMemberRow)
# Every graded answer reads the learner's groups, to credit their weeks (bot.storage.repo.core).
_GROUPS_OF = (select(_MEMBERS.c.learner_id, _CHATS).join(_MEMBERS, and_(
    _MEMBERS.c.platform == _CHATS.c.platform, _MEMBERS.c.chat_id == _CHATS.c.chat_id,
)).where(_MEMBERS.c.learner_id.in_(bindparam("learners", expanding=True))))


class GroupRepo(Repo):
    async def group(self, platform: str, chat_id: str, title: str,
                    now: datetime) -> tuple[Group, bool]:
        """The group chat, registered on first contact (then True); keeps its title fresh."""
        row = await self._s.get(GroupChatRow, (platform, chat_id))
        created = row is None
        if row is None:
            row = GroupChatRow(platform=platform, chat_id=chat_id, title=title[:128] or chat_id,
                               round_seconds=DEFAULT_ROUND_SECONDS, created_at=now)
            try:
                async with self._s.begin_nested():
                    self._s.add(row)
            except IntegrityError:
                row = await self._s.get(GroupChatRow, (platform, chat_id))
                assert row is not None
        elif title and row.title != title[:128]:
            row.title = title[:128]
        return to_group(row), created

    async def update_group(self, group: Group, **changes: Any) -> Group:
        assert set(changes) <= {"timezone", "daily_question_at", "round_seconds"}, changes
        values = {k: (v.strftime("%H:%M") if isinstance(v, time) else v) for k, v in changes.items()}
        await self._write(update(GroupChatRow).where(
            GroupChatRow.platform == group.platform, GroupChatRow.chat_id == group.chat_id,
        ).values(**values))
        return replace(group, **changes)

    async def learner_groups(self, learner_id: int) -> list[Group]:
        return (await self.groups_of([learner_id])).get(learner_id, [])

    async def groups_of(self, learner_ids: Collection[int]) -> dict[int, list[Group]]:
        """Each learner's groups, in one query; a learner in none is left out."""
        found: dict[int, list[Group]] = {}
        for row in await self._s.execute(_GROUPS_OF, {"learners": list(learner_ids)}):
            found.setdefault(row.learner_id, []).append(to_group(row))
        return found

    async def join_group(self, platform: str, chat_id: str, learner_id: int, now: datetime) -> bool:
        """Makes the learner a member; True if they were not one yet."""
        if await self._s.get(GroupMemberRow, (platform, chat_id, learner_id)) is not None:
            return False
        try:
            async with self._s.begin_nested():
                self._s.add(GroupMemberRow(platform=platform, chat_id=chat_id,
                                           learner_id=learner_id, joined_at=now))
        except IntegrityError:
            return False  # joined concurrently by another event
        return True

    # The group report's figures: counted in the database over the members' answers (a group of
    # thousands never loads its answers into Python); answered mock items count as answers.

    async def member_count(self, platform: str, chat_id: str) -> int:
        stmt = select(func.count()).select_from(GroupMemberRow).where(
            GroupMemberRow.platform == platform, GroupMemberRow.chat_id == chat_id)
        return int((await self._s.execute(stmt)).scalar_one())

    async def active_members(self, platform: str, chat_id: str, since: datetime) -> list[str]:
        """The names of members who answered anything (practice or mock) since `since`, by name."""
        stmt = (select(LearnerRow.display_name).join(GroupMemberRow, _member_of(platform, chat_id))
                .where(_answered_since(since)).order_by(LearnerRow.display_name, LearnerRow.id))
        return list(await self._s.scalars(stmt))

    async def domain_tally(self, platform: str, chat_id: str,
                           since: datetime) -> dict[int, DomainRecord]:
        """The members' answers since `since` and the right ones, per domain, practice and mock alike."""
        answers = _member_answers(platform, chat_id, since)
        stmt = (select(answers.c.domain, func.count(), func.sum(case((answers.c.correct, 1), else_=0)))
                .group_by(answers.c.domain))
        return {d: DomainRecord(int(n), int(c or 0)) for d, n, c in await self._s.execute(stmt)}

    async def most_missed(self, platform: str, chat_id: str, since: datetime, min_members: int,
                          limit: int) -> list[MissedQuestion]:
        """Questions at least `min_members` members answered since `since` and someone missed, the
        highest share of missed answers first (then more answers, then by id)."""
        answers = _member_answers(platform, chat_id, since)
        answered, members = func.count(), func.count(distinct(answers.c.learner_id))
        missed = func.sum(case((answers.c.correct, 0), else_=1))
        stmt = (select(answers.c.question_id, answered, missed, members)
                .group_by(answers.c.question_id).having(members >= min_members, missed > 0)
                .order_by((cast(missed, Float) / answered).desc(), answered.desc(), answers.c.question_id)
                .limit(limit))
        return [MissedQuestion(qid, int(n), int(m), int(k)) for qid, n, m, k in await self._s.execute(stmt)]

    async def quiet_members(self, platform: str, chat_id: str, exams_from: date, exams_until: date,
                            quiet_since: datetime) -> list[QuietMember]:
        """Members with an exam date in [exams_from, exams_until] who have answered nothing since
        `quiet_since`, soonest exam first."""
        stmt = (select(LearnerRow.display_name, LearnerRow.exam_date)
                .join(GroupMemberRow, _member_of(platform, chat_id))
                .where(LearnerRow.exam_date >= exams_from, LearnerRow.exam_date <= exams_until,
                       ~_answered_since(quiet_since))
                .order_by(LearnerRow.exam_date, LearnerRow.display_name, LearnerRow.id))
        return [QuietMember(name, day) for name, day in await self._s.execute(stmt) if day is not None]

    async def subscribe_report(self, platform: str, chat_id: str, learner_id: int,
                               private_chat_id: str, now: datetime, first: datetime) -> None:
        """The admin gets the group's report at `first`, then weekly (again: a new private chat)."""
        stmt = self._insert(GroupReportSubscriptionRow).values(
            platform=platform, chat_id=chat_id, learner_id=learner_id, private_chat_id=private_chat_id,
            created_at=now, next_push_at=first)
        await self._s.execute(stmt.on_conflict_do_update(
            index_elements=["platform", "chat_id", "learner_id"],
            set_={"private_chat_id": private_chat_id, "next_push_at": first}))

    async def unsubscribe_report(self, platform: str, chat_id: str, learner_id: int) -> bool:
        """False if the admin was not subscribed."""
        result = await self._write(delete(GroupReportSubscriptionRow).where(
            *_subscription(platform, chat_id, learner_id)))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def report_subscribed(self, platform: str, chat_id: str, learner_id: int) -> bool:
        stmt = select(GroupReportSubscriptionRow.learner_id).where(
            *_subscription(platform, chat_id, learner_id))
        return (await self._s.execute(stmt)).first() is not None


def _member_of(platform: str, chat_id: str) -> Any:
    return and_(GroupMemberRow.learner_id == LearnerRow.id, GroupMemberRow.platform == platform,
                GroupMemberRow.chat_id == chat_id)


def _subscription(platform: str, chat_id: str, learner_id: int) -> tuple[Any, ...]:
    row = GroupReportSubscriptionRow
    return row.platform == platform, row.chat_id == chat_id, row.learner_id == learner_id


def _answered_since(since: datetime) -> Any:
    """The learner row in the query answered something, in practice or a mock, since `since`
    (each EXISTS reads the answers index of that learner only)."""
    practice = select(AnswerRow.id).where(AnswerRow.learner_id == LearnerRow.id,
                                          AnswerRow.answered_at >= since).exists()
    mock = (select(MockItemRow.mock_id).join(MockRow, MockRow.id == MockItemRow.mock_id)
            .where(MockRow.learner_id == LearnerRow.id, MockItemRow.answered_at >= since).exists())
    return practice | mock


def _member_answers(platform: str, chat_id: str, since: datetime) -> Subquery:
    """(learner_id, question_id, domain, correct) of every answer the group's members gave since
    `since`, practice and answered mock items alike."""
    members = select(GroupMemberRow.learner_id).where(GroupMemberRow.platform == platform,
                                                      GroupMemberRow.chat_id == chat_id)
    practice = select(AnswerRow.learner_id, AnswerRow.question_id, AnswerRow.domain,
                      AnswerRow.correct).where(AnswerRow.learner_id.in_(members),
                                               AnswerRow.answered_at >= since)
    mocks = (select(MockRow.learner_id, MockItemRow.question_id, MockItemRow.domain, MockItemRow.correct)
             .select_from(MockItemRow).join(MockRow, MockRow.id == MockItemRow.mock_id)
             .where(MockRow.learner_id.in_(members), MockItemRow.answered_at >= since))
    return union_all(practice, mocks).subquery()
