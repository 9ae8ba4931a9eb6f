"""Mock exams: their questions in order, each answer, and how each ended."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.exam import MockKind
from bot.domain.models import (
    Mock,
    MockItem,
    MockOutcome,
)
from bot.storage.repo import Repo, to_mock
from bot.storage.schema import (
    MockItemRow,
    MockRow,
)


class MockRepo(Repo):
    async def start_mock(self, learner_id: int, platform: str, chat_id: str, kind: MockKind,
                         questions: Sequence[tuple[str, int]], now: datetime,
                         ends_at: datetime,
                         shown: Sequence[tuple[str | None, int]] = ()) -> Mock | None:
        """A new mock over (question id, domain) pairs in order, each shown as `shown` says (choice
        order, question version); None if one is already running."""
        row = MockRow(learner_id=learner_id, platform=platform, chat_id=chat_id, kind=kind,
                      total=len(questions), position=0, started_at=now, ends_at=ends_at)
        try:
            async with self._s.begin_nested():
                self._s.add(row)
                await self._s.flush()
        except IntegrityError:  # the partial unique index: another mock is still unfinished
            return None
        looks = list(shown) or [(None, 1)] * len(questions)
        self._s.add_all(MockItemRow(mock_id=row.id, position=i, question_id=qid, domain=domain,
                                    correct=False, choice_order=order, question_version=version)
                        for i, ((qid, domain), (order, version))
                        in enumerate(zip(questions, looks, strict=True)))
        return to_mock(row)

    async def mock(self, mock_id: int) -> Mock | None:
        row = await self._s.get(MockRow, mock_id)
        return to_mock(row) if row else None

    async def running_mock(self, learner_id: int) -> Mock | None:
        row = (await self._s.execute(select(MockRow).where(
            MockRow.learner_id == learner_id, MockRow.finished_at.is_(None)))).scalar_one_or_none()
        return to_mock(row) if row else None

    async def mark_shown(self, mock_id: int, now: datetime) -> None:
        """Notes that the mock's current question was just shown (see Mock.shown_at)."""
        await self._write(update(MockRow).where(MockRow.id == mock_id).values(shown_at=now))

    async def mock_items(self, mock_id: int) -> list[MockItem]:
        stmt = select(MockItemRow).where(MockItemRow.mock_id == mock_id).order_by(MockItemRow.position)
        return [MockItem(r.position, r.question_id, r.domain, r.letter, r.correct, r.choice_order,
                         r.question_version) for r in await self._s.scalars(stmt)]

    async def answer_mock(self, mock_id: int, position: int, letter: str, correct: bool,
                          now: datetime) -> bool:
        """Moves an unfinished mock past `position`; False if that question was already answered."""
        moved = await self._write(update(MockRow).where(
            MockRow.id == mock_id, MockRow.position == position, MockRow.finished_at.is_(None),
        ).values(position=position + 1))
        if not moved.rowcount:  # type: ignore[attr-defined]
            return False
        await self._write(update(MockItemRow).where(
            MockItemRow.mock_id == mock_id, MockItemRow.position == position,
        ).values(letter=letter, correct=correct, answered_at=now))
        return True

    async def finish_mock(self, mock_id: int, outcome: MockOutcome, correct: int | None,
                          now: datetime) -> bool:
        """Ends a mock; False if it had already ended (a second caller loses here)."""
        result = await self._write(update(MockRow).where(
            MockRow.id == mock_id, MockRow.finished_at.is_(None),
        ).values(finished_at=now, outcome=outcome, correct=correct))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def expired_mocks(self, now: datetime, limit: int = 100) -> list[Mock]:
        """Unfinished mocks whose time is up."""
        stmt = (select(MockRow).where(MockRow.ends_at <= now, MockRow.finished_at.is_(None))
                .order_by(MockRow.ends_at).limit(limit))
        return [to_mock(r) for r in await self._s.scalars(stmt)]

    async def mock_history(self, learner_id: int, limit: int) -> list[Mock]:
        stmt = (select(MockRow).where(MockRow.learner_id == learner_id)
                .order_by(MockRow.started_at.desc(), MockRow.id.desc()).limit(limit))
        return [to_mock(r) for r in await self._s.scalars(stmt)]

    async def mock_seen(self, learner_id: int) -> set[str]:
        """Every question shown in one of the learner's mocks (up to where each one stopped)."""
        stmt = (select(MockItemRow.question_id).join(MockRow, MockRow.id == MockItemRow.mock_id)
                .where(MockRow.learner_id == learner_id, MockItemRow.position <= MockRow.position))
        return set(await self._s.scalars(stmt))
