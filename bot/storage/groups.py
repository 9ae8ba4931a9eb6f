"""Group storage: chats and members, group questions and their answers, live rounds, and the point
totals the leaderboards read (kept with each answer, so no board sums raw answers)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Date, Select, and_, delete, func, literal, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.models import DEFAULT_ROUND_SECONDS, Group, Prompt, Round, Standing
from bot.storage.repo import Repo, to_group, to_prompt
from bot.storage.schema import (
    AnswerRow,
    GroupAnswerRow,
    GroupChatRow,
    GroupMemberRow,
    GroupPointsRow,
    LearnerRow,
    PromptRow,
    RoundRow,
)

# The period of a member's running total in a group, beside the weeks' Mondays.
ALL_TIME = date(1, 1, 1)


def _ranked(rows: list[tuple[int, str, int]]) -> list[Standing]:
    """Standings from rows sorted best first: equal points share the better rank."""
    standings: list[Standing] = []
    for learner_id, name, points in rows:
        tied = standings and standings[-1].points == points
        standings.append(Standing(standings[-1].rank if tied else len(standings) + 1,
                                  learner_id, name, points))
    return standings


class GroupRepo(Repo):
    # group chats and members ----------------------------------------------------------------
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
        stmt = (select(GroupChatRow).join(GroupMemberRow, and_(
            GroupMemberRow.platform == GroupChatRow.platform, GroupMemberRow.chat_id == GroupChatRow.chat_id,
        )).where(GroupMemberRow.learner_id == learner_id))
        return [to_group(r) for r in await self._s.scalars(stmt)]

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

    # group questions and their answers ------------------------------------------------------
    async def hold_open(self, prompt_id: int) -> bool:
        """False if the group question has closed; else it cannot close until this transaction
        ends (PostgreSQL: FOR SHARE, so answers run side by side while closing waits for them;
        SQLite runs one writer at a time anyway). No answer is recorded after its reveal."""
        stmt = (select(PromptRow.id).where(PromptRow.id == prompt_id, PromptRow.closed_at.is_(None))
                .with_for_update(read=True))
        return (await self._s.execute(stmt)).scalar_one_or_none() is not None

    async def add_group_answer(self, prompt_id: int, learner_id: int, letter: str, correct: bool,
                               now: datetime, run: int = 0) -> bool:
        """Records a member's answer to a group question; False if they had already answered.
        `run` is their count of correct answers in a row within a round, this one included."""
        try:
            async with self._s.begin_nested():
                self._s.add(GroupAnswerRow(prompt_id=prompt_id, learner_id=learner_id, letter=letter,
                                           correct=correct, answered_at=now, run=run))
        except IntegrityError:
            return False
        return True

    async def set_group_answer_points(self, prompt_id: int, learner_id: int, points: int) -> None:
        await self._write(update(GroupAnswerRow).where(
            GroupAnswerRow.prompt_id == prompt_id, GroupAnswerRow.learner_id == learner_id,
        ).values(points=points))

    async def group_answer_count(self, prompt_id: int) -> int:
        stmt = select(func.count()).select_from(GroupAnswerRow).where(
            GroupAnswerRow.prompt_id == prompt_id)
        return int((await self._s.execute(stmt)).scalar_one())

    async def due_group_prompts(self, now: datetime, limit: int = 100) -> list[Prompt]:
        """Open group questions whose answer window has ended."""
        stmt = (select(PromptRow).where(PromptRow.closes_at <= now, PromptRow.closed_at.is_(None))
                .order_by(PromptRow.closes_at).limit(limit))
        return [to_prompt(r) for r in await self._s.scalars(stmt)]

    async def group_results(self, prompt_id: int) -> list[tuple[str, bool]]:
        """(name, correct) for each member who answered a group question, in answer order."""
        stmt = (select(LearnerRow.display_name, GroupAnswerRow.correct)
                .join(LearnerRow, LearnerRow.id == GroupAnswerRow.learner_id)
                .where(GroupAnswerRow.prompt_id == prompt_id)
                .order_by(GroupAnswerRow.answered_at, LearnerRow.id))
        return [(name, correct) for name, correct in await self._s.execute(stmt)]

    # live rounds ----------------------------------------------------------------------------
    async def start_round(self, platform: str, chat_id: str, total: int, seconds: int,
                          domain: int | None, now: datetime) -> Round | None:
        """A new round in the chat; None while another is unfinished (the partial unique index
        decides, so two members starting one at once get one round)."""
        row = RoundRow(platform=platform, chat_id=chat_id, total=total, seconds=seconds,
                       domain=domain, started_at=now)
        try:
            async with self._s.begin_nested():
                self._s.add(row)
                await self._s.flush()
        except IntegrityError:
            return None
        return Round(row.id, platform, chat_id, total, seconds, domain)

    async def round(self, round_id: int) -> Round:
        row = await self._s.get(RoundRow, round_id)
        assert row is not None  # a round goes only with its chat's rows, never before its prompts
        return Round(row.id, row.platform, row.chat_id, row.total, row.seconds, row.domain)

    async def round_questions(self, round_id: int) -> set[str]:
        return set(await self._s.scalars(select(PromptRow.question_id).where(PromptRow.round_id == round_id)))

    async def previous_run(self, round_id: int, position: int, learner_id: int) -> int:
        """The member's correct answers in a row up to the round's `position`-th question."""
        stmt = (select(GroupAnswerRow.run).join(PromptRow, PromptRow.id == GroupAnswerRow.prompt_id)
                .where(PromptRow.round_id == round_id, PromptRow.round_position == position,
                       GroupAnswerRow.learner_id == learner_id))
        return (await self._s.execute(stmt)).scalar_one_or_none() or 0

    async def round_standings(self, round_id: int) -> list[Standing]:
        """Everyone who answered in the round, by the points (bonuses included) it earned them."""
        points = func.sum(GroupAnswerRow.points)
        stmt = (select(LearnerRow.id, LearnerRow.display_name, points)
                .select_from(GroupAnswerRow)
                .join(PromptRow, PromptRow.id == GroupAnswerRow.prompt_id)
                .join(LearnerRow, LearnerRow.id == GroupAnswerRow.learner_id)
                .where(PromptRow.round_id == round_id)
                .group_by(LearnerRow.id, LearnerRow.display_name)
                .order_by(points.desc(), LearnerRow.display_name, LearnerRow.id))
        return _ranked([(lid, name, int(total)) for lid, name, total in await self._s.execute(stmt)])

    async def finish_round(self, round_id: int, now: datetime) -> None:
        await self._write(update(RoundRow).where(RoundRow.id == round_id).values(finished_at=now))

    # points and leaderboards ----------------------------------------------------------------
    async def add_points(self, learner_id: int, points: int,
                         weeks: Collection[tuple[str, str, date]]) -> None:
        """Adds an answer's points to the learner's running total, and to the current week and the
        all-time total of each of their groups (`weeks`: platform, chat id and that group's Monday)."""
        await self._write(update(LearnerRow).where(LearnerRow.id == learner_id)
                          .values(points=LearnerRow.points + points))
        if weeks:
            insert = self._insert(GroupPointsRow)
            stmt = insert.on_conflict_do_update(
                index_elements=["platform", "chat_id", "period", "learner_id"],
                set_={"points": GroupPointsRow.points + insert.excluded.points})
            await self._s.execute(stmt, [
                {"platform": p, "chat_id": c, "period": period, "learner_id": learner_id, "points": points}
                for p, c, week in weeks for period in (week, ALL_TIME)])

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
        shown = _ranked(rows)[:top]
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
