"""Point totals per learner and per group week, which the leaderboards read."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import Date, Select, and_, bindparam, delete, func, literal, select, update

from bot.domain.models import (
    Credit,
    Standing,
)
from bot.storage.repo import Repo, core, per_dialect, ranked
from bot.storage.schema import (
    AnswerRow,
    GroupMemberRow,
    GroupPointsRow,
    LearnerRow,
)

# The period of a member's running total in a group, beside the weeks' Mondays.
ALL_TIME = date(1, 1, 1)

# Every answer that earns points runs these (bot.storage.repo.core).
_LEARNERS, _GROUP_POINTS = core(LearnerRow), core(GroupPointsRow)
_CREDIT = update(_LEARNERS).where(_LEARNERS.c.id == bindparam("credited")).values(
    points=_LEARNERS.c.points + bindparam("earned"))
_CREDIT_GROUPS = per_dialect(lambda dialect_insert: (
    upsert := dialect_insert(_GROUP_POINTS)).on_conflict_do_update(
    index_elements=["platform", "chat_id", "period", "learner_id"],
    set_={"points": _GROUP_POINTS.c.points + upsert.excluded.points}))


class PointsRepo(Repo):
    async def add_points(self, learner_id: int, points: int,
                         weeks: Collection[tuple[str, str, date]]) -> None:
        """Adds an answer's points to the learner's running total, and to the current week and the
        all-time total of each of their groups (`weeks`: platform, chat id and that group's Monday)."""
        await self.add_points_all([Credit(learner_id, points, tuple(weeks))])

    async def add_points_all(self, credits: Sequence[Credit]) -> None:
        """add_points() for several learners (each at most once), in two statements."""
        if not credits:
            return
        await self._s.execute(_CREDIT, [{"credited": c.learner_id, "earned": c.points} for c in credits])
        rows = [{"platform": p, "chat_id": chat, "period": period, "learner_id": c.learner_id,
                 "points": c.points}
                for c in credits for p, chat, week in c.weeks for period in (week, ALL_TIME)]
        if rows:
            await self._s.execute(_CREDIT_GROUPS(self._dialect), rows)

    async def count_member(self, platform: str, chat_id: str, learner_id: int, week: date,
                           since: datetime) -> None:
        """A new member's totals in the group: every point they ever earned, and this `week`'s
        (from `since`), as if they had been a member all along."""
        insert = self._insert(GroupPointsRow)
        await self._s.execute(insert.from_select(
            ["platform", "chat_id", "period", "learner_id", "points"],
            select(literal(platform), literal(chat_id), literal(ALL_TIME, Date), LearnerRow.id,
                   LearnerRow.points).where(LearnerRow.id == learner_id, LearnerRow.points > 0),
        ).on_conflict_do_nothing())
        await self.rebuild_week(platform, chat_id, week, since, learner_id)

    async def rebuild_week(self, platform: str, chat_id: str, week: date, since: datetime,
                           learner_id: int | None = None) -> None:
        """Recounts the group's `week` (starting at `since`) from the members' answers, or one
        member's; rows for later weeks go (they were counted in a time zone the group left)."""
        scope = [GroupPointsRow.platform == platform, GroupPointsRow.chat_id == chat_id,
                 GroupPointsRow.period >= week]
        members = [GroupMemberRow.platform == platform, GroupMemberRow.chat_id == chat_id]
        if learner_id is not None:
            scope.append(GroupPointsRow.learner_id == learner_id)
            members.append(GroupMemberRow.learner_id == learner_id)
        await self._write(delete(GroupPointsRow).where(*scope))
        total = func.sum(AnswerRow.points)
        counted = (select(literal(platform), literal(chat_id), literal(week, Date), AnswerRow.learner_id,
                          total)
                   .join(GroupMemberRow, GroupMemberRow.learner_id == AnswerRow.learner_id)
                   .where(*members, AnswerRow.answered_at >= since)
                   .group_by(AnswerRow.learner_id).having(total > 0))
        insert = self._insert(GroupPointsRow)
        await self._s.execute(insert.from_select(
            ["platform", "chat_id", "period", "learner_id", "points"], counted))

    async def leaderboard(self, platform: str, chat_id: str, week: date | None,
                          me: int | None = None, top: int = 10) -> list[Standing]:
        """The group's first `top` members by points in `week` (None: all time), then `me` if
        ranked lower. Ties share a rank and are listed by name. The top rows come from the period's
        index and `me`'s rank from counting the index entries above them: nothing reads every member."""
        scope = (GroupPointsRow.platform == platform, GroupPointsRow.chat_id == chat_id,
                 GroupPointsRow.period == (ALL_TIME if week is None else week))
        board = (select(LearnerRow.id, LearnerRow.display_name, GroupPointsRow.points)
                 .join(LearnerRow, LearnerRow.id == GroupPointsRow.learner_id).where(*scope))
        rows = await self._rows(board.order_by(GroupPointsRow.points.desc()).limit(top))
        if len(rows) == top:  # all who tie with the last row shown compete for its place, by name
            last = rows[-1][2]
            rows = [row for row in rows if row[2] > last] + await self._rows(
                board.where(GroupPointsRow.points == last))
        rows.sort(key=lambda row: (-row[2], row[1], row[0]))
        if len(rows) < top:  # members without points fill the board, by name
            scorers = select(GroupPointsRow.learner_id).where(*scope)
            rest = (select(LearnerRow.id, LearnerRow.display_name, literal(0))
                    .join(GroupMemberRow, GroupMemberRow.learner_id == LearnerRow.id)
                    .where(GroupMemberRow.platform == platform, GroupMemberRow.chat_id == chat_id,
                           LearnerRow.id.not_in(scorers))
                    .order_by(LearnerRow.display_name, LearnerRow.id).limit(top - len(rows)))
            rows += await self._rows(rest)
        shown = ranked(rows)[:top]
        if me is None or any(s.learner_id == me for s in shown):
            return shown
        mine = (select(LearnerRow.display_name, func.coalesce(GroupPointsRow.points, 0))
                .outerjoin(GroupPointsRow, and_(*scope, GroupPointsRow.learner_id == LearnerRow.id))
                .where(LearnerRow.id == me))
        name, points = (await self._s.execute(mine)).one()
        ahead = select(func.count()).where(*scope, GroupPointsRow.points > points)
        return [*shown, Standing(int((await self._s.execute(ahead)).scalar_one()) + 1, me, name, int(points))]

    async def _rows(self, stmt: Select[int, str, int]) -> list[tuple[int, str, int]]:
        return [(lid, name, int(points)) for lid, name, points in await self._s.execute(stmt)]
