"""The in-memory repositories for one learner's own data: learners, cards and answers, prompts, mock
exams and exam attempts. Each method mirrors its SQL twin in bot/storage, query by query, so tests
on the memory store hold on the database too (tests/test_store_contract.py checks that they do)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from bot.domain.exam import MockKind
from bot.domain.linking import Identity
from bot.domain.models import (
    DEFAULT_GOAL,
    AnswerRecord,
    CardState,
    DomainRecord,
    ExamAttempt,
    FirstAttempt,
    Learner,
    Mock,
    MockItem,
    MockOutcome,
    Prompt,
)
from bot.domain.tallies import QuestionTally
from bot.events import Person
from tests.memory_tables import AnswerRow, ExamRow, LearnerRow, MockItemRow, Tables, maybe_utc, minutes, utc


class MemoryRepo:
    """One aggregate over the tables of the running transaction."""

    def __init__(self, tables: Tables, new_learner_ids: set[int]) -> None:
        self._t = tables
        self._new = new_learner_ids


class MemoryLearnerRepo(MemoryRepo):
    async def learner(self, person: Person, now: datetime, private_chat_id: str | None) -> Learner:
        """Created on first contact (then in new_learner_ids) with its identity; keeps the name and
        the account's DM chat fresh (on the learner too while its pushes go to this account)."""
        name = person.display_name[:128]
        account = (person.platform, person.user_id)
        row = self._row(*account)
        if row is None:
            learner_id = self._t.next_id("learners")
            row = LearnerRow(Learner(
                id=learner_id, platform=person.platform, user_id=person.user_id, display_name=name,
                timezone=None, remind_at=None, exam_date=None, daily_goal=DEFAULT_GOAL,
                private_chat_id=private_chat_id, unreachable=False), created_at=utc(now))
            self._t.identities[account] = Identity(*account, learner_id, private_chat_id, False, utc(now))
            self._new.add(learner_id)
        learner = row.learner
        if learner.display_name != name:
            learner = replace(learner, display_name=name)
        identity = self._t.identities[account]
        if private_chat_id and (identity.private_chat_id != private_chat_id or identity.unreachable):
            self._t.identities[account] = replace(identity, private_chat_id=private_chat_id,
                                                  unreachable=False)
            if (learner.platform, learner.user_id) == account:
                learner = replace(learner, private_chat_id=private_chat_id, unreachable=False)
        self._t.learners[learner.id] = replace(row, learner=learner)
        return learner

    async def find_learner(self, platform: str, user_id: str) -> Learner | None:
        row = self._row(platform, user_id)
        return row.learner if row else None

    async def members(self, platform: str, chat_id: str, user_ids: Collection[str]) -> dict[str, Learner]:
        found = {user_id: row.learner for user_id in user_ids if (row := self._row(platform, user_id))}
        return {user_id: learner for user_id, learner in found.items()
                if (platform, chat_id, learner.id) in self._t.members}

    async def update_learner(self, learner: Learner, **changes: Any) -> Learner:
        """Stores the given settings; returns `learner` with the changes as given (not re-read,
        so an "HH:MM" column's lost seconds show only on the next read, as in SQL)."""
        allowed = {"timezone", "remind_at", "exam_date", "daily_goal", "unreachable", "streak",
                   "certified_on", "last_readiness", "digest"}
        assert set(changes) <= allowed, changes
        stored: dict[str, Any] = {k: (minutes(v) if isinstance(v, time) else v)
                                  for k, v in changes.items() if k != "streak" or v is not None}
        if (row := self._t.learners.get(learner.id)) is not None:
            self._t.learners[learner.id] = replace(row, learner=replace(row.learner, **stored))
        return replace(learner, **changes)

    async def forget(self, learner_id: int) -> None:
        """Everything the SQL deletes, plus what its foreign keys cascade to (pushes, and answers
        to the learner's prompts)."""
        t = self._t
        mocks = {m.id for m in t.mocks.values() if m.learner_id == learner_id}
        prompts = {p.id for p in t.prompts.values() if p.learner_id == learner_id}
        t.mock_items = {k: v for k, v in t.mock_items.items() if k[0] not in mocks}
        t.mocks = {k: v for k, v in t.mocks.items() if k not in mocks}
        t.exams = {k: v for k, v in t.exams.items() if k[0] != learner_id}
        t.group_answers = {k: v for k, v in t.group_answers.items()
                           if k[1] != learner_id and k[0] not in prompts}
        t.members = {k: v for k, v in t.members.items() if k[2] != learner_id}
        t.report_subscriptions = {k: v for k, v in t.report_subscriptions.items() if k[2] != learner_id}
        t.group_points = {k: v for k, v in t.group_points.items() if k[3] != learner_id}
        t.answers = {k: v for k, v in t.answers.items() if v.learner_id != learner_id}
        t.cards = {k: v for k, v in t.cards.items() if k[0] != learner_id}
        t.reports = {k: v for k, v in t.reports.items() if v[0] != learner_id}
        t.prompts = {k: v for k, v in t.prompts.items() if k not in prompts}
        t.pushes = {k: v for k, v in t.pushes.items() if v.key.learner_id != learner_id}
        accounts = {k for k, v in t.identities.items() if v.learner_id == learner_id}
        t.link_guesses = {k: v for k, v in t.link_guesses.items() if k not in accounts}
        t.link_codes = {k: v for k, v in t.link_codes.items() if v.learner_id != learner_id}
        t.identities = {k: v for k, v in t.identities.items() if k not in accounts}
        t.learners.pop(learner_id, None)

    def _row(self, platform: str, user_id: str) -> LearnerRow | None:
        """Through the account's identity, as the SQL joins it."""
        identity = self._t.identities.get((platform, user_id))
        return self._t.learners.get(identity.learner_id) if identity else None


class MemoryAnswerRepo(MemoryRepo):
    async def cards(self, learner_id: int) -> list[CardState]:
        return [c for (lid, _), c in self._t.cards.items() if lid == learner_id]

    async def card(self, learner_id: int, question_id: str) -> CardState | None:
        return self._t.cards.get((learner_id, question_id))

    async def cards_for(self, learner_ids: Collection[int], question_id: str) -> dict[int, CardState]:
        return {lid: card for lid in learner_ids if (card := self._t.cards.get((lid, question_id)))}

    async def save_card(self, learner_id: int, card: CardState) -> None:
        self._t.cards[(learner_id, card.question_id)] = replace(
            card, due=utc(card.due), last_review=maybe_utc(card.last_review))

    async def save_cards(self, cards: Sequence[tuple[int, CardState]]) -> None:
        for learner_id, card in cards:
            await self.save_card(learner_id, card)

    async def count_due(self, learner_id: int, before: datetime) -> int:
        return (await self.due_counts([learner_id], before)).get(learner_id, 0)

    async def record_answer(self, learner_id: int, record: AnswerRecord) -> None:
        answer_id = self._t.next_id("answers")
        self._t.answers[answer_id] = AnswerRow(answer_id, learner_id,
                                               replace(record, answered_at=utc(record.answered_at)))

    async def record_answers(self, answers: Sequence[tuple[int, AnswerRecord]]) -> None:
        for learner_id, record in answers:
            await self.record_answer(learner_id, record)

    async def answers_since_all(self, learner_ids: Collection[int],
                                since: datetime) -> dict[int, list[AnswerRecord]]:
        found = {lid: await self.answers_since(lid, since) for lid in learner_ids}
        return {lid: answers for lid, answers in found.items() if answers}

    async def answers_since(self, learner_id: int, since: datetime) -> list[AnswerRecord]:
        """Oldest first; answers given at the same instant in the order they were recorded."""
        since = utc(since)
        return sorted((a.record for a in self._t.answers.values()
                       if a.learner_id == learner_id and a.record.answered_at >= since),
                      key=lambda r: r.answered_at)

    async def domain_records(self, learner_id: int) -> dict[int, DomainRecord]:
        """Practice answers and answered mock items alike."""
        records: dict[int, DomainRecord] = {}
        for domain, correct, _ in self._attempts(learner_id):
            was = records.get(domain, DomainRecord())
            records[domain] = DomainRecord(was.answered + 1, was.correct + correct)
        return records

    async def last_question(self, learner_id: int) -> str | None:
        latest = max(self._of(learner_id), key=lambda a: (a.record.answered_at, a.id), default=None)
        return latest.record.question_id if latest else None

    async def first_attempts(self, learner_id: int) -> list[FirstAttempt]:
        """Practice answers are read before mock items, so on a tie in time practice wins."""
        mocks = {m.id for m in self._t.mocks.values() if m.learner_id == learner_id}
        attempts: list[tuple[str, int, bool, datetime | None]] = [
            (a.record.question_id, a.record.domain, a.record.correct, a.record.answered_at)
            for a in self._of(learner_id)]
        attempts += [(i.item.question_id, i.item.domain, i.item.correct, i.answered_at)
                     for (mock_id, _), i in self._t.mock_items.items() if mock_id in mocks]
        first: dict[str, FirstAttempt] = {}
        for qid, domain, correct, at in attempts:
            if at is not None and (qid not in first or at < first[qid].at):  # None: unanswered
                first[qid] = FirstAttempt(qid, domain, correct, at)
        return sorted(first.values(), key=lambda a: a.at)

    async def due_counts(self, learner_ids: Collection[int], before: datetime) -> dict[int, int]:
        """Only learners with something due appear (a GROUP BY yields no zero rows)."""
        before, wanted = utc(before), set(learner_ids)
        counts: dict[int, int] = {}
        for (lid, _), card in self._t.cards.items():
            if lid in wanted and card.due <= before:
                counts[lid] = counts.get(lid, 0) + 1
        return counts

    async def answer_counts(self, learner_ids: Collection[int], since: datetime) -> dict[int, int]:
        """Practice answers and answered mock items alike; only learners with some appear."""
        since = utc(since)
        counts: dict[int, int] = {}
        for learner_id in dict.fromkeys(learner_ids):
            if n := sum(1 for _, _, at in self._attempts(learner_id) if at >= since):
                counts[learner_id] = n
        return counts

    async def tally(self, learner_id: int, since: datetime, until: datetime) -> DomainRecord:
        """Practice answers and answered mock items given in [since, until)."""
        since, until = utc(since), utc(until)
        window = [correct for _, correct, at in self._attempts(learner_id) if since <= at < until]
        return DomainRecord(len(window), sum(window))

    async def question_tallies(self, learner_id: int) -> list[QuestionTally]:
        """Practice answers and answered mock items alike, by question id."""
        mocks = {m.id for m in self._t.mocks.values() if m.learner_id == learner_id}
        answers = [(a.record.question_id, a.record.correct, a.record.answered_at)
                   for a in self._of(learner_id)]
        answers += [(row.item.question_id, row.item.correct, row.answered_at)
                    for (mock_id, _), row in self._t.mock_items.items()
                    if mock_id in mocks and row.answered_at is not None]
        tallies: dict[str, QuestionTally] = {}
        for qid, correct, at in answers:
            was = tallies.get(qid, QuestionTally(qid, 0, 0, at))
            tallies[qid] = QuestionTally(qid, was.answered + 1, was.wrong + (not correct),
                                         max(was.last_answered, at))
        return [tallies[qid] for qid in sorted(tallies)]

    def _attempts(self, learner_id: int) -> list[tuple[int, bool, datetime]]:
        """(domain, correct, when) of every practice answer and answered mock item."""
        mocks = {m.id for m in self._t.mocks.values() if m.learner_id == learner_id}
        return [(a.record.domain, a.record.correct, a.record.answered_at) for a in self._of(learner_id)] + [
            (row.item.domain, row.item.correct, row.answered_at)
            for (mock_id, _), row in self._t.mock_items.items()
            if mock_id in mocks and row.answered_at is not None]

    def _of(self, learner_id: int) -> list[AnswerRow]:
        return [a for a in self._t.answers.values() if a.learner_id == learner_id]


class MemoryPromptRepo(MemoryRepo):
    async def open_prompt(self, platform: str, chat_id: str, learner_id: int | None,
                          question_id: str, daily: bool, domain: int | None,
                          now: datetime, closes_at: datetime | None = None,
                          round_id: int | None = None, round_position: int | None = None, *,
                          choice_order: str | None = None, scope_word: str | None = None,
                          question_version: int | None = None) -> Prompt:
        """Closes the learner's earlier open prompts in this chat, then posts the new one."""
        now = utc(now)
        if learner_id is not None:
            for p in self._open():
                if (p.platform, p.chat_id, p.learner_id) == (platform, chat_id, learner_id):
                    self._t.prompts[p.id] = replace(p, closed_at=now)
        prompt = Prompt(self._t.next_id("prompts"), platform, chat_id, learner_id, question_id, daily,
                        domain, now, None, maybe_utc(closes_at), round_id, round_position,
                        choice_order, scope_word, question_version)
        self._t.prompts[prompt.id] = prompt
        return prompt

    async def prompt(self, prompt_id: int) -> Prompt | None:
        return self._t.prompts.get(prompt_id)

    async def latest_open_prompt(self, platform: str, chat_id: str,
                                 learner_id: int) -> Prompt | None:
        return max((p for p in self._open()
                    if (p.platform, p.chat_id, p.learner_id) == (platform, chat_id, learner_id)),
                   key=lambda p: p.id, default=None)

    async def close_prompt(self, prompt_id: int, now: datetime) -> bool:
        """A conditional update: only the first close of an open prompt wins."""
        prompt = self._t.prompts.get(prompt_id)
        if prompt is None or prompt.closed_at is not None:
            return False
        self._t.prompts[prompt_id] = replace(prompt, closed_at=utc(now))
        return True

    async def take_prompt(self, prompt_id: int, now: datetime) -> Prompt | None:
        return self._t.prompts[prompt_id] if await self.close_prompt(prompt_id, now) else None

    async def hold_open(self, prompt_id: int) -> bool:
        """Transactions run one at a time here, so holding is only the check."""
        prompt = self._t.prompts.get(prompt_id)
        return prompt is not None and prompt.closed_at is None

    async def due_group_prompts(self, now: datetime, limit: int = 100) -> list[Prompt]:
        now = utc(now)
        due = [p for p in self._open() if p.closes_at is not None and p.closes_at <= now]
        return sorted(due, key=lambda p: p.closes_at or now)[:limit]

    async def next_group_close(self, platform: str) -> datetime | None:
        return min((p.closes_at for p in self._open() if p.platform == platform and p.closes_at is not None),
                   default=None)

    def _open(self) -> list[Prompt]:
        return [p for p in self._t.prompts.values() if p.closed_at is None]


class MemoryMockRepo(MemoryRepo):
    async def start_mock(self, learner_id: int, platform: str, chat_id: str, kind: MockKind,
                         questions: Sequence[tuple[str, int]], now: datetime,
                         ends_at: datetime,
                         shown: Sequence[tuple[str | None, int]] = ()) -> Mock | None:
        """None while the learner has an unfinished mock (the SQL's partial unique index), or
        for an unknown learner (its foreign key)."""
        if learner_id not in self._t.learners or await self.running_mock(learner_id) is not None:
            return None
        mock = Mock(id=self._t.next_id("mocks"), learner_id=learner_id, platform=platform,
                    chat_id=chat_id, kind=MockKind(kind), total=len(questions), position=0,
                    started_at=utc(now), ends_at=utc(ends_at), finished_at=None, outcome=None,
                    correct=None)
        self._t.mocks[mock.id] = mock
        looks = list(shown) or [(None, 1)] * len(questions)
        for position, ((qid, domain), (order, version)) in enumerate(zip(questions, looks, strict=True)):
            item = MockItem(position, qid, domain, letter=None, correct=False, choice_order=order,
                            question_version=version)
            self._t.mock_items[(mock.id, position)] = MockItemRow(item)
        return mock

    async def mock(self, mock_id: int) -> Mock | None:
        return self._t.mocks.get(mock_id)

    async def mark_shown(self, mock_id: int, now: datetime) -> None:
        if (mock := self._t.mocks.get(mock_id)) is not None:
            self._t.mocks[mock_id] = replace(mock, shown_at=utc(now))

    async def running_mock(self, learner_id: int) -> Mock | None:
        return next((m for m in self._t.mocks.values()
                     if m.learner_id == learner_id and m.finished_at is None), None)

    async def mock_items(self, mock_id: int) -> list[MockItem]:
        return [row.item for (mid, _), row in sorted(self._t.mock_items.items()) if mid == mock_id]

    async def answer_mock(self, mock_id: int, position: int, letter: str, correct: bool,
                          now: datetime) -> bool:
        """Conditional on the mock still waiting at `position`: a second answer loses."""
        mock = self._t.mocks.get(mock_id)
        if mock is None or mock.position != position or mock.finished_at is not None:
            return False
        self._t.mocks[mock_id] = replace(mock, position=position + 1)
        if (row := self._t.mock_items.get((mock_id, position))) is not None:
            self._t.mock_items[(mock_id, position)] = MockItemRow(
                replace(row.item, letter=letter, correct=correct), utc(now))
        return True

    async def finish_mock(self, mock_id: int, outcome: MockOutcome, correct: int | None,
                          now: datetime) -> bool:
        """Conditional on the mock being unfinished: the second caller loses."""
        mock = self._t.mocks.get(mock_id)
        if mock is None or mock.finished_at is not None:
            return False
        self._t.mocks[mock_id] = replace(mock, finished_at=utc(now), correct=correct,
                                         outcome=MockOutcome(outcome) if outcome else None)
        return True

    async def expired_mocks(self, now: datetime, limit: int = 100) -> list[Mock]:
        now = utc(now)
        expired = [m for m in self._t.mocks.values() if m.ends_at <= now and m.finished_at is None]
        return sorted(expired, key=lambda m: m.ends_at)[:limit]

    async def mock_history(self, learner_id: int, limit: int) -> list[Mock]:
        """Newest first; the later id first among mocks started at the same instant."""
        mine = [m for m in self._t.mocks.values() if m.learner_id == learner_id]
        return sorted(mine, key=lambda m: (m.started_at, m.id), reverse=True)[:limit]

    async def mock_seen(self, learner_id: int) -> set[str]:
        """Each mock's items up to and including its position: the question showing when it stopped."""
        return {row.item.question_id for (mock_id, position), row in self._t.mock_items.items()
                if (m := self._t.mocks.get(mock_id)) is not None and m.learner_id == learner_id
                and position <= m.position}


class MemoryExamRepo(MemoryRepo):
    async def record_exam_attempt(self, learner_id: int, taken_on: date, passed: bool,
                                  now: datetime) -> None:
        """One row per learner and day (the unique key): a repeat corrects it in place."""
        self._t.exams[(learner_id, taken_on)] = ExamRow(passed, utc(now))

    async def exam_attempts(self, learner_id: int) -> list[ExamAttempt]:
        return [ExamAttempt(day, row.passed)
                for (lid, day), row in sorted(self._t.exams.items()) if lid == learner_id]
