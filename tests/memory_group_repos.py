"""The in-memory repositories for what learners share: group chats, rounds, points and scheduled
pushes. Each method mirrors its SQL twin in bot/storage, unique keys and conditional updates
included, so tests on the memory store hold on the database too."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from fractions import Fraction
from typing import Any

from bot.domain.models import (
    DEFAULT_ROUND_SECONDS,
    Credit,
    DomainRecord,
    Group,
    GroupAnswer,
    Learner,
    MissedQuestion,
    PushKey,
    PushOutcome,
    QuietMember,
    ReportSubscription,
    Round,
    Standing,
)
from bot.storage.repo import ranked  # the SQL store's own tie rule, so the two cannot differ
from tests.memory_repos import MemoryRepo
from tests.memory_tables import (
    ALL_TIME,
    GroupAnswerRow,
    GroupRow,
    PushRow,
    ReportSubscriptionRow,
    RoundRow,
    maybe_utc,
    minutes,
    top_by_points,
    utc,
)


class MemoryGroupRepo(MemoryRepo):
    async def group(self, platform: str, chat_id: str, title: str,
                    now: datetime) -> tuple[Group, bool]:
        """Registered on first contact (then True), titled by its chat id if it has no title."""
        row = self._t.groups.get((platform, chat_id))
        if row is None:
            row = GroupRow(Group(platform, chat_id, title[:128] or chat_id, None, None,
                                 DEFAULT_ROUND_SECONDS), utc(now))
            self._t.groups[(platform, chat_id)] = row
            return row.group, True
        if title and row.group.title != title[:128]:
            row = replace(row, group=replace(row.group, title=title[:128]))
            self._t.groups[(platform, chat_id)] = row
        return row.group, False

    async def update_group(self, group: Group, **changes: Any) -> Group:
        """Stores the given settings; returns `group` with the changes as given, not re-read."""
        assert set(changes) <= {"timezone", "daily_question_at", "round_seconds"}, changes
        stored: dict[str, Any] = {k: (minutes(v) if isinstance(v, time) else v) for k, v in changes.items()}
        if (row := self._t.groups.get((group.platform, group.chat_id))) is not None:
            self._t.groups[(group.platform, group.chat_id)] = replace(
                row, group=replace(row.group, **stored))
        return replace(group, **changes)

    async def groups_of(self, learner_ids: Collection[int]) -> dict[int, list[Group]]:
        found = {lid: await self.learner_groups(lid) for lid in learner_ids}
        return {lid: groups for lid, groups in found.items() if groups}

    async def learner_groups(self, learner_id: int) -> list[Group]:
        """Registered groups only (the SQL joins the chats' table)."""
        return [row.group for (platform, chat_id, lid) in self._t.members
                if lid == learner_id and (row := self._t.groups.get((platform, chat_id))) is not None]

    async def join_group(self, platform: str, chat_id: str, learner_id: int, now: datetime) -> bool:
        """False if already a member, or for an unknown learner (the SQL's foreign key)."""
        key = (platform, chat_id, learner_id)
        if key in self._t.members or learner_id not in self._t.learners:
            return False
        self._t.members[key] = utc(now)
        return True

    async def member_count(self, platform: str, chat_id: str) -> int:
        return len(self._members(platform, chat_id))

    async def active_members(self, platform: str, chat_id: str, since: datetime) -> list[str]:
        """By name, then id (the SQL's order)."""
        active = {lid for lid, *_ in self._answers(self._members(platform, chat_id), utc(since))}
        return [r.learner.display_name for r in sorted(
            (self._t.learners[lid] for lid in active), key=lambda r: (r.learner.display_name, r.learner.id))]

    async def domain_tally(self, platform: str, chat_id: str,
                           since: datetime) -> dict[int, DomainRecord]:
        records: dict[int, DomainRecord] = {}
        for _, _, domain, correct in self._answers(self._members(platform, chat_id), utc(since)):
            was = records.get(domain, DomainRecord())
            records[domain] = DomainRecord(was.answered + 1, was.correct + correct)
        return records

    async def most_missed(self, platform: str, chat_id: str, since: datetime, min_members: int,
                          limit: int) -> list[MissedQuestion]:
        """Exact shares (the SQL's float division orders equal fractions equally too)."""
        answers: dict[str, list[tuple[int, bool]]] = {}
        for lid, qid, _, correct in self._answers(self._members(platform, chat_id), utc(since)):
            answers.setdefault(qid, []).append((lid, correct))
        missed = [MissedQuestion(qid, len(rows), sum(not c for _, c in rows), len({lid for lid, _ in rows}))
                  for qid, rows in answers.items()]
        ranked = sorted((m for m in missed if m.members >= min_members and m.missed),
                        key=lambda m: (-Fraction(m.missed, m.answered), -m.answered, m.question_id))
        return ranked[:limit]

    async def quiet_members(self, platform: str, chat_id: str, exams_from: date, exams_until: date,
                            quiet_since: datetime) -> list[QuietMember]:
        members = self._members(platform, chat_id)
        studied = {lid for lid, *_ in self._answers(members, utc(quiet_since))}
        quiet = [self._t.learners[lid].learner for lid in members - studied]
        return [QuietMember(lr.display_name, lr.exam_date) for lr in sorted(
            quiet, key=lambda lr: (lr.exam_date or date.min, lr.display_name, lr.id))
            if lr.exam_date is not None and exams_from <= lr.exam_date <= exams_until]

    async def subscribe_report(self, platform: str, chat_id: str, learner_id: int,
                               private_chat_id: str, now: datetime, first: datetime) -> None:
        """An upsert: subscribing again keeps the first `created_at`, as the SQL does."""
        key = (platform, chat_id, learner_id)
        was = self._t.report_subscriptions.get(key)
        self._t.report_subscriptions[key] = ReportSubscriptionRow(
            private_chat_id, was.created_at if was else utc(now), utc(first))

    async def unsubscribe_report(self, platform: str, chat_id: str, learner_id: int) -> bool:
        return self._t.report_subscriptions.pop((platform, chat_id, learner_id), None) is not None

    async def report_subscribed(self, platform: str, chat_id: str, learner_id: int) -> bool:
        return (platform, chat_id, learner_id) in self._t.report_subscriptions

    def _members(self, platform: str, chat_id: str) -> set[int]:
        return {lid for (p, c, lid) in self._t.members if (p, c) == (platform, chat_id)}

    def _answers(self, learners: set[int], since: datetime) -> list[tuple[int, str, int, bool]]:
        """(learner, question, domain, correct) of the learners' practice answers and answered
        mock items since `since`."""
        rows = [(a.learner_id, a.record.question_id, a.record.domain, a.record.correct)
                for a in self._t.answers.values()
                if a.learner_id in learners and a.record.answered_at >= since]
        mocks = {m.id: m.learner_id for m in self._t.mocks.values() if m.learner_id in learners}
        return rows + [(mocks[mock_id], i.item.question_id, i.item.domain, i.item.correct)
                       for (mock_id, _), i in self._t.mock_items.items()
                       if mock_id in mocks and i.answered_at is not None and i.answered_at >= since]


class MemoryRoundRepo(MemoryRepo):
    async def start_round(self, platform: str, chat_id: str, total: int, seconds: int,
                          domain: int | None, now: datetime) -> Round | None:
        """None while the chat has an unfinished round (the SQL's partial unique index)."""
        if any((r.round.platform, r.round.chat_id) == (platform, chat_id) and r.finished_at is None
               for r in self._t.rounds.values()):
            return None
        started = Round(self._t.next_id("rounds"), platform, chat_id, total, seconds, domain)
        self._t.rounds[started.id] = RoundRow(started, utc(now))
        return started

    async def round(self, round_id: int) -> Round:
        row = self._t.rounds.get(round_id)
        assert row is not None
        return row.round

    async def round_questions(self, round_id: int) -> set[str]:
        return {p.question_id for p in self._t.prompts.values() if p.round_id == round_id}

    async def previous_runs(self, round_id: int, position: int,
                            learner_ids: Collection[int]) -> dict[int, int]:
        runs = {lid: await self.previous_run(round_id, position, lid) for lid in learner_ids}
        return {lid: run for lid, run in runs.items() if run}

    async def previous_run(self, round_id: int, position: int, learner_id: int) -> int:
        for p in self._t.prompts.values():
            answer = self._t.group_answers.get((p.id, learner_id))
            if (p.round_id, p.round_position) == (round_id, position) and answer is not None:
                return answer.run
        return 0

    async def round_standings(self, round_id: int) -> list[Standing]:
        """By points, then name, then id; ties share a rank."""
        in_round = {p.id for p in self._t.prompts.values() if p.round_id == round_id}
        totals: dict[int, int] = {}
        for (prompt_id, lid), answer in self._t.group_answers.items():
            if prompt_id in in_round and lid in self._t.learners:
                totals[lid] = totals.get(lid, 0) + answer.points
        rows = [(lid, self._name(lid), points) for lid, points in totals.items()]
        return ranked(sorted(rows, key=lambda row: (-row[2], row[1], row[0])))

    async def finish_round(self, round_id: int, now: datetime) -> None:
        """Unconditional, as in SQL: finishing twice moves finished_at."""
        if (row := self._t.rounds.get(round_id)) is not None:
            self._t.rounds[round_id] = replace(row, finished_at=utc(now))

    async def add_group_answer(self, prompt_id: int, learner_id: int, letter: str, correct: bool,
                               now: datetime, run: int = 0, points: int = 0) -> bool:
        """False for a second answer (the primary key)."""
        answer = GroupAnswer(learner_id, letter, correct, now, run, points)
        return learner_id in await self.add_group_answers(prompt_id, [answer])

    async def add_group_answers(self, prompt_id: int, answers: Sequence[GroupAnswer]) -> set[int]:
        """The caller has read the prompt and the learners: an unknown one is a bug (in SQL, a
        foreign key error)."""
        assert prompt_id in self._t.prompts
        recorded: set[int] = set()
        for a in answers:
            assert a.learner_id in self._t.learners
            if (prompt_id, a.learner_id) not in self._t.group_answers:
                self._t.group_answers[(prompt_id, a.learner_id)] = GroupAnswerRow(
                    a.letter, a.correct, utc(a.answered_at), points=a.points, run=a.run)
                recorded.add(a.learner_id)
        return recorded

    async def group_answer_count(self, prompt_id: int) -> int:
        return sum(1 for pid, _ in self._t.group_answers if pid == prompt_id)

    async def group_results(self, prompt_id: int) -> list[tuple[str, bool]]:
        """In answer order; the lower learner id first among answers at the same instant."""
        answers = sorted(((a.answered_at, lid, a.correct)
                          for (pid, lid), a in self._t.group_answers.items()
                          if pid == prompt_id and lid in self._t.learners))
        return [(self._name(lid), correct) for _, lid, correct in answers]

    def _name(self, learner_id: int) -> str:
        return self._t.learners[learner_id].learner.display_name


class MemoryPointsRepo(MemoryRepo):
    async def add_points_all(self, credits: Sequence[Credit]) -> None:
        for credit in credits:
            await self.add_points(credit.learner_id, credit.points, credit.weeks)

    async def add_points(self, learner_id: int, points: int,
                         weeks: Collection[tuple[str, str, date]]) -> None:
        """The learner's total, and each group's week and all-time rows (an upsert that adds)."""
        if (row := self._t.learners.get(learner_id)) is not None:
            self._t.learners[learner_id] = replace(row, points=row.points + points)
        for platform, chat_id, week in weeks:
            for period in (week, ALL_TIME):
                key = (platform, chat_id, period, learner_id)
                self._t.group_points[key] = self._t.group_points.get(key, 0) + points

    async def count_member(self, platform: str, chat_id: str, learner_id: int, week: date,
                           since: datetime) -> None:
        """An all-time row from the learner's total (if any, and none is there yet), then the week."""
        row = self._t.learners.get(learner_id)
        if row is not None and row.points > 0:
            self._t.group_points.setdefault((platform, chat_id, ALL_TIME, learner_id), row.points)
        await self.rebuild_week(platform, chat_id, week, since, learner_id)

    async def rebuild_week(self, platform: str, chat_id: str, week: date, since: datetime,
                           learner_id: int | None = None) -> None:
        """Drops the week and later ones (all-time stays), then sums members' answers since `since`."""
        since = utc(since)

        def mine(lid: int) -> bool:
            return learner_id is None or lid == learner_id

        self._t.group_points = {
            k: v for k, v in self._t.group_points.items()
            if not ((k[0], k[1]) == (platform, chat_id) and k[2] >= week and mine(k[3]))}
        members = {lid for (p, c, lid) in self._t.members if (p, c) == (platform, chat_id) and mine(lid)}
        totals: dict[int, int] = {}
        for a in self._t.answers.values():
            if a.learner_id in members and a.record.answered_at >= since:
                totals[a.learner_id] = totals.get(a.learner_id, 0) + a.record.points
        for lid, total in totals.items():
            if total > 0:
                self._t.group_points[(platform, chat_id, week, lid)] = total

    async def leaderboard(self, platform: str, chat_id: str, week: date | None,
                          me: int | None = None, top: int = 10) -> list[Standing]:
        """The first `top` by points (ties at the cut all compete, by name), then members without
        points by name, then `me` if ranked lower, whether a member or not."""
        period = ALL_TIME if week is None else week
        scope = {lid: points for (p, c, per, lid), points in self._t.group_points.items()
                 if (p, c, per) == (platform, chat_id, period)}
        rows = top_by_points([(lid, self._name(lid), points) for lid, points in scope.items()
                              if lid in self._t.learners], top)
        if len(rows) < top:
            rest = sorted(((lid, self._name(lid), 0) for (p, c, lid) in self._t.members
                           if (p, c) == (platform, chat_id) and lid not in scope
                           and lid in self._t.learners), key=lambda row: (row[1], row[0]))
            rows += rest[:top - len(rows)]
        shown = ranked(rows)[:top]
        if me is None or any(s.learner_id == me for s in shown):
            return shown
        if me not in self._t.learners:
            raise LookupError(f"no learner {me}")  # the SQL's .one() raises too
        points = scope.get(me, 0)
        ahead = sum(1 for p in scope.values() if p > points)
        return [*shown, Standing(ahead + 1, me, self._name(me), points)]

    def _name(self, learner_id: int) -> str:
        return self._t.learners[learner_id].learner.display_name


class MemoryPushRepo(MemoryRepo):
    async def lock_due_learners(self, now: datetime, platforms: Collection[str],
                                limit: int) -> list[tuple[Learner, datetime]]:
        """Reachable learners owed a push, soonest first; one transaction at a time is the lock."""
        now = utc(now)
        due = [(r.learner, r.next_push_at) for r in self._t.learners.values()
               if r.next_push_at is not None and r.next_push_at <= now
               and not r.learner.unreachable and r.learner.platform in platforms]
        return sorted(due, key=lambda pair: pair[1])[:limit]

    async def set_next_pushes(self, when: Mapping[int, datetime | None]) -> None:
        for learner_id, at in when.items():
            await self.set_next_push(learner_id, at)

    async def set_next_push(self, learner_id: int, when: datetime | None) -> None:
        if (row := self._t.learners.get(learner_id)) is not None:
            self._t.learners[learner_id] = replace(row, next_push_at=maybe_utc(when))

    async def record_pushes(self, pushes: Sequence[PushKey], now: datetime) -> dict[PushKey, int]:
        """ON CONFLICT DO NOTHING on (kind, platform, chat, local date): a key recorded before,
        or earlier in the same batch, gets no id. A key given twice in the batch maps its last
        PushKey to the row of its first, as the SQL's lookup by key does."""
        now = utc(now)
        taken = {(r.key.kind, r.key.platform, r.key.chat_id, r.key.local_date)
                 for r in self._t.pushes.values()}
        by_key = {(p.kind, p.platform, p.chat_id, p.local_date): p for p in pushes}
        recorded: dict[PushKey, int] = {}
        for push in pushes:
            key = (push.kind, push.platform, push.chat_id, push.local_date)
            if key in taken:
                continue
            taken.add(key)
            push_id = self._t.next_id("pushes")
            self._t.pushes[push_id] = PushRow(push, now, PushOutcome.CLAIMED)
            recorded[by_key[key]] = push_id
        return recorded

    async def push_outcome(self, push_id: int, outcome: PushOutcome) -> None:
        if (row := self._t.pushes.get(push_id)) is not None:
            self._t.pushes[push_id] = replace(row, outcome=outcome)

    async def groups_due(self, now: datetime, platforms: Collection[str],
                         limit: int) -> list[tuple[Group, datetime]]:
        now = utc(now)
        due = [(r.group, r.next_push_at) for r in self._t.groups.values()
               if r.next_push_at is not None and r.next_push_at <= now and r.group.platform in platforms]
        return sorted(due, key=lambda pair: pair[1])[:limit]

    async def set_group_schedule(self, group: Group, when: datetime | None) -> None:
        key = (group.platform, group.chat_id)
        if (row := self._t.groups.get(key)) is not None:
            self._t.groups[key] = replace(row, next_push_at=maybe_utc(when))

    async def reschedule_group(self, group: Group, expected: datetime | None,
                               following: datetime | None) -> bool:
        """Conditional on the schedule still being `expected` (None matches no schedule, as SQL's
        `== None` is IS NULL): of two ticks, the one that moves it first wins."""
        key = (group.platform, group.chat_id)
        row = self._t.groups.get(key)
        if row is None or row.next_push_at != maybe_utc(expected):
            return False
        self._t.groups[key] = replace(row, next_push_at=maybe_utc(following))
        return True

    async def digests_due(self, now: datetime, platforms: Collection[str],
                          limit: int) -> list[tuple[Learner, datetime]]:
        now = utc(now)
        due = [(r.learner, r.digest_next_at) for r in self._t.learners.values()
               if r.digest_next_at is not None and r.digest_next_at <= now
               and not r.learner.unreachable and r.learner.platform in platforms]
        return sorted(due, key=lambda pair: pair[1])[:limit]

    async def set_next_digest(self, learner_id: int, when: datetime | None) -> None:
        if (row := self._t.learners.get(learner_id)) is not None:
            self._t.learners[learner_id] = replace(row, digest_next_at=maybe_utc(when))

    async def reschedule_digest(self, learner_id: int, expected: datetime | None,
                                following: datetime | None) -> bool:
        row = self._t.learners.get(learner_id)
        if row is None or row.digest_next_at != maybe_utc(expected):
            return False
        self._t.learners[learner_id] = replace(row, digest_next_at=maybe_utc(following))
        return True

    async def reports_due(self, now: datetime, platforms: Collection[str],
                          limit: int) -> list[tuple[ReportSubscription, datetime]]:
        """Subscriptions of registered groups only (the SQL joins the chats' table)."""
        now = utc(now)
        due = [(ReportSubscription(group.group, admin.learner, row.private_chat_id), row.next_push_at)
               for (platform, chat_id, lid), row in self._t.report_subscriptions.items()
               if row.next_push_at is not None and row.next_push_at <= now and platform in platforms
               and (group := self._t.groups.get((platform, chat_id))) is not None
               and (admin := self._t.learners.get(lid)) is not None and not admin.learner.unreachable]
        return sorted(due, key=lambda pair: pair[1])[:limit]

    async def reschedule_report(self, subscription: ReportSubscription, expected: datetime | None,
                                following: datetime | None) -> bool:
        key = (subscription.group.platform, subscription.group.chat_id, subscription.admin.id)
        row = self._t.report_subscriptions.get(key)
        if row is None or row.next_push_at != maybe_utc(expected):
            return False
        self._t.report_subscriptions[key] = replace(row, next_push_at=maybe_utc(following))
        return True
