"""Live rounds and the answers members give to group questions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.models import (
    GroupAnswer,
    Round,
    Standing,
)
from bot.storage.repo import Repo, core, ranked
from bot.storage.schema import (
    GroupAnswerRow,
    LearnerRow,
    PromptRow,
    RoundRow,
)


class RoundRepo(Repo):
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
        return (await self.previous_runs(round_id, position, [learner_id])).get(learner_id, 0)

    async def previous_runs(self, round_id: int, position: int,
                            learner_ids: Collection[int]) -> dict[int, int]:
        """previous_run() of several members in one query; a member with no run is left out."""
        stmt = (select(GroupAnswerRow.learner_id, GroupAnswerRow.run)
                .join(PromptRow, PromptRow.id == GroupAnswerRow.prompt_id)
                .where(PromptRow.round_id == round_id, PromptRow.round_position == position,
                       GroupAnswerRow.learner_id.in_(learner_ids), GroupAnswerRow.run > 0))
        return {learner_id: run for learner_id, run in await self._s.execute(stmt)}

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
        return ranked([(lid, name, int(total)) for lid, name, total in await self._s.execute(stmt)])

    async def finish_round(self, round_id: int, now: datetime) -> None:
        await self._write(update(RoundRow).where(RoundRow.id == round_id).values(finished_at=now))

    async def add_group_answer(self, prompt_id: int, learner_id: int, letter: str, correct: bool,
                               now: datetime, run: int = 0, points: int = 0) -> bool:
        """Records a member's answer; False if they had already answered."""
        answer = GroupAnswer(learner_id, letter, correct, now, run, points)
        return learner_id in await self.add_group_answers(prompt_id, [answer])

    async def add_group_answers(self, prompt_id: int, answers: Sequence[GroupAnswer]) -> set[int]:
        """Records members' answers to a group question in one statement; returns the members
        recorded now (not those who had already answered). The caller has read the question and the
        learners in this transaction."""
        if not answers:
            return set()
        table = core(GroupAnswerRow)
        stmt = (self._insert(table).on_conflict_do_nothing(index_elements=["prompt_id", "learner_id"])
                .returning(table.c.learner_id))
        rows = await self._s.execute(stmt, [
            {"prompt_id": prompt_id, "learner_id": a.learner_id, "letter": a.letter, "correct": a.correct,
             "answered_at": a.answered_at, "points": a.points, "run": a.run} for a in answers])
        return set(rows.scalars())

    async def group_answer_count(self, prompt_id: int) -> int:
        stmt = select(func.count()).select_from(GroupAnswerRow).where(
            GroupAnswerRow.prompt_id == prompt_id)
        return int((await self._s.execute(stmt)).scalar_one())

    async def group_results(self, prompt_id: int) -> list[tuple[str, bool]]:
        """(name, correct) for each member who answered a group question, in answer order."""
        stmt = (select(LearnerRow.display_name, GroupAnswerRow.correct)
                .join(LearnerRow, LearnerRow.id == GroupAnswerRow.learner_id)
                .where(GroupAnswerRow.prompt_id == prompt_id)
                .order_by(GroupAnswerRow.answered_at, LearnerRow.id))
        return [(name, correct) for name, correct in await self._s.execute(stmt)]
