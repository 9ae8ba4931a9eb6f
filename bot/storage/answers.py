"""Cards and answers: each learner x question's memory state, and every answer given."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import BindParameter, Select, bindparam, case, func, insert, select, union_all

from bot.domain.models import (
    AnswerRecord,
    CardState,
    DomainRecord,
    FirstAttempt,
)
from bot.domain.tallies import QuestionTally
from bot.storage.repo import Repo, core, per_dialect, to_card
from bot.storage.schema import (
    AnswerRow,
    CardRow,
    MockItemRow,
    MockRow,
)

# A card's stored state beside its key (bot.domain.models.CardState).
_CARD_FIELDS = ("state", "stability", "difficulty", "due", "last_review", "question_version")

# The statements every /quiz and answer runs, built once (bot.storage.repo.core).
_CARDS, _ANSWERS, _MOCKS, _MOCK_ITEMS = core(CardRow), core(AnswerRow), core(MockRow), core(MockItemRow)
_LEARNER: BindParameter[int] = bindparam("learner")
_LEARNER_IDS: BindParameter[list[int]] = bindparam("learners", expanding=True)
_SINCE: BindParameter[datetime] = bindparam("since")
_CARDS_OF = select(_CARDS).where(_CARDS.c.learner_id == _LEARNER)
_CARDS_FOR = select(_CARDS).where(_CARDS.c.learner_id.in_(_LEARNER_IDS),
                                  _CARDS.c.question_id == bindparam("question"))
_SAVE_CARDS = per_dialect(lambda dialect_insert: (
    upsert := dialect_insert(_CARDS)).on_conflict_do_update(
    index_elements=["learner_id", "question_id"],
    set_={name: upsert.excluded[name] for name in _CARD_FIELDS}))
_RECORD_ANSWERS = insert(_ANSWERS)
_ANSWERS_SINCE = (select(_ANSWERS).where(_ANSWERS.c.learner_id.in_(_LEARNER_IDS),
                                         _ANSWERS.c.answered_at >= _SINCE)
                  .order_by(_ANSWERS.c.answered_at, _ANSWERS.c.id))


def _domain_records() -> Select[int, int, int]:
    practice = select(_ANSWERS.c.domain.label("domain"), _ANSWERS.c.correct.label("correct")).where(
        _ANSWERS.c.learner_id == _LEARNER)
    mocks = (select(_MOCK_ITEMS.c.domain, _MOCK_ITEMS.c.correct)
             .join(_MOCKS, _MOCKS.c.id == _MOCK_ITEMS.c.mock_id)
             .where(_MOCKS.c.learner_id == _LEARNER, _MOCK_ITEMS.c.answered_at.is_not(None)))
    both = union_all(practice, mocks).subquery()
    return (select(both.c.domain, func.count(), func.sum(case((both.c.correct, 1), else_=0)))
            .group_by(both.c.domain))


def _answer_counts() -> Select[int, int]:
    practice = select(_ANSWERS.c.learner_id.label("learner_id")).where(
        _ANSWERS.c.learner_id.in_(_LEARNER_IDS), _ANSWERS.c.answered_at >= _SINCE)
    mocks = (select(_MOCKS.c.learner_id.label("learner_id"))
             .join(_MOCK_ITEMS, _MOCK_ITEMS.c.mock_id == _MOCKS.c.id)
             .where(_MOCKS.c.learner_id.in_(_LEARNER_IDS), _MOCK_ITEMS.c.answered_at >= _SINCE))
    both = union_all(practice, mocks).subquery()
    return select(both.c.learner_id, func.count()).group_by(both.c.learner_id)


_DOMAIN_RECORDS = _domain_records()
_ANSWER_COUNTS = _answer_counts()
_LAST_QUESTION = (select(_ANSWERS.c.question_id).where(_ANSWERS.c.learner_id == _LEARNER)
                  .order_by(_ANSWERS.c.answered_at.desc(), _ANSWERS.c.id.desc()).limit(1))


class AnswerRepo(Repo):
    async def cards(self, learner_id: int) -> list[CardState]:
        return [to_card(r) for r in await self._s.execute(_CARDS_OF, {"learner": learner_id})]

    async def card(self, learner_id: int, question_id: str) -> CardState | None:
        return (await self.cards_for([learner_id], question_id)).get(learner_id)

    async def cards_for(self, learner_ids: Collection[int], question_id: str) -> dict[int, CardState]:
        """These learners' cards for one question, by learner (a round question's pressers at once)."""
        rows = await self._s.execute(_CARDS_FOR, {"learners": list(learner_ids), "question": question_id})
        return {row.learner_id: to_card(row) for row in rows}

    async def save_card(self, learner_id: int, card: CardState) -> None:
        await self.save_cards([(learner_id, card)])

    async def save_cards(self, cards: Sequence[tuple[int, CardState]]) -> None:
        """Upserts each learner's card in one statement: a new card costs no read first (the caller
        has just looked for it)."""
        if not cards:
            return
        await self._s.execute(_SAVE_CARDS(self._dialect), [
            {"learner_id": learner_id, "question_id": card.question_id,
             **{name: getattr(card, name) for name in _CARD_FIELDS}} for learner_id, card in cards])

    async def count_due(self, learner_id: int, before: datetime) -> int:
        stmt = select(func.count()).select_from(CardRow).where(
            CardRow.learner_id == learner_id, CardRow.due <= before)
        return int((await self._s.execute(stmt)).scalar_one())

    async def record_answer(self, learner_id: int, record: AnswerRecord) -> None:
        await self.record_answers([(learner_id, record)])

    async def record_answers(self, answers: Sequence[tuple[int, AnswerRecord]]) -> None:
        """Stores each learner's answer, in one statement."""
        if not answers:
            return
        await self._s.execute(_RECORD_ANSWERS, [
            {"learner_id": learner_id, "question_id": r.question_id, "domain": r.domain,
             "correct": r.correct, "is_review": r.is_review, "answered_at": r.answered_at,
             "points": r.points, "choice": r.choice, "question_version": r.question_version}
            for learner_id, r in answers])

    async def answers_since(self, learner_id: int, since: datetime) -> list[AnswerRecord]:
        return (await self.answers_since_all([learner_id], since)).get(learner_id, [])

    async def answers_since_all(self, learner_ids: Collection[int],
                                since: datetime) -> dict[int, list[AnswerRecord]]:
        """Each learner's answers since `since`, oldest first; a learner without any is left out."""
        found: dict[int, list[AnswerRecord]] = {}
        for r in await self._s.execute(_ANSWERS_SINCE, {"learners": list(learner_ids), "since": since}):
            found.setdefault(r.learner_id, []).append(AnswerRecord(
                r.question_id, r.domain, r.correct, r.is_review, r.answered_at, r.points, r.choice,
                r.question_version))
        return found

    async def domain_records(self, learner_id: int) -> dict[int, DomainRecord]:
        """Answers and right answers per domain, practice and mock alike, counted in the database in
        one statement (every /quiz and /daily asks it)."""
        rows = await self._s.execute(_DOMAIN_RECORDS, {"learner": learner_id})
        return {d: DomainRecord(int(n), int(c or 0)) for d, n, c in rows}

    async def last_question(self, learner_id: int) -> str | None:
        return (await self._s.execute(_LAST_QUESTION, {"learner": learner_id})).scalar_one_or_none()

    async def first_attempts(self, learner_id: int) -> list[FirstAttempt]:
        """The learner's first answer to each question, from practice or a mock, oldest first."""
        practice = (select(AnswerRow.question_id, AnswerRow.domain, AnswerRow.correct,
                           AnswerRow.answered_at)
                    .where(AnswerRow.learner_id == learner_id))
        mocks = (select(MockItemRow.question_id, MockItemRow.domain, MockItemRow.correct,
                        MockItemRow.answered_at)
                 .join(MockRow, MockRow.id == MockItemRow.mock_id)
                 .where(MockRow.learner_id == learner_id))
        first: dict[str, FirstAttempt] = {}
        for stmt in (practice, mocks):
            for qid, domain, correct, at in await self._s.execute(stmt):
                if at is not None and (qid not in first or at < first[qid].at):  # None: unanswered
                    first[qid] = FirstAttempt(qid, domain, correct, at)
        return sorted(first.values(), key=lambda a: a.at)

    async def due_counts(self, learner_ids: Collection[int], before: datetime) -> dict[int, int]:
        stmt = (select(CardRow.learner_id, func.count()).where(
            CardRow.learner_id.in_(learner_ids), CardRow.due <= before).group_by(CardRow.learner_id))
        return {lid: int(n) for lid, n in await self._s.execute(stmt)}

    async def answer_counts(self, learner_ids: Collection[int], since: datetime) -> dict[int, int]:
        """Answers given since `since` per learner, practice and mock alike, in one statement (every
        graded answer asks it for the goal and the streak)."""
        rows = await self._s.execute(_ANSWER_COUNTS, {"learners": list(learner_ids), "since": since})
        return {lid: int(n) for lid, n in rows}

    async def question_tallies(self, learner_id: int) -> list[QuestionTally]:
        """Per question the learner answered, practice and mock alike: answers, wrong ones and the
        latest, by question id."""
        practice = (select(AnswerRow.question_id, func.count(),
                           func.sum(case((AnswerRow.correct, 0), else_=1)), func.max(AnswerRow.answered_at))
                    .where(AnswerRow.learner_id == learner_id).group_by(AnswerRow.question_id))
        mocks = (select(MockItemRow.question_id, func.count(),
                        func.sum(case((MockItemRow.correct, 0), else_=1)), func.max(MockItemRow.answered_at))
                 .join(MockRow, MockRow.id == MockItemRow.mock_id)
                 .where(MockRow.learner_id == learner_id, MockItemRow.answered_at.is_not(None))
                 .group_by(MockItemRow.question_id))
        tallies: dict[str, QuestionTally] = {}
        for stmt in (practice, mocks):
            for qid, n, wrong, last in await self._s.execute(stmt):
                was = tallies.get(qid)
                tallies[qid] = QuestionTally(qid, int(n), int(wrong or 0), last) if was is None else \
                    QuestionTally(qid, was.answered + int(n), was.wrong + int(wrong or 0),
                                  max(was.last_answered, last))
        return [tallies[qid] for qid in sorted(tallies)]

    async def tally(self, learner_id: int, since: datetime, until: datetime) -> DomainRecord:
        """Answers given in [since, until) and how many were right, practice and mock alike."""
        right = case((AnswerRow.correct, 1), else_=0)
        practice = (select(func.count(), func.sum(right)).where(
            AnswerRow.learner_id == learner_id, AnswerRow.answered_at >= since,
            AnswerRow.answered_at < until))
        mocks = (select(func.count(), func.sum(case((MockItemRow.correct, 1), else_=0)))
                 .select_from(MockItemRow).join(MockRow, MockRow.id == MockItemRow.mock_id)
                 .where(MockRow.learner_id == learner_id, MockItemRow.answered_at >= since,
                        MockItemRow.answered_at < until))
        answered = correct = 0
        for stmt in (practice, mocks):
            n, c = (await self._s.execute(stmt)).one()
            answered, correct = answered + int(n), correct + int(c or 0)
        return DomainRecord(answered, correct)
