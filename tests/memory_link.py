"""The in-memory LinkRepo: identities, link codes, wrong-code counts and the merge, mirroring
bot/storage/linking.py statement by statement (the contract tests in tests/test_link.py run both)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime

from bot.domain.linking import Guesses, Identity, LinkCode
from bot.domain.models import DEFAULT_GOAL, Learner
from tests.memory_repos import MemoryRepo
from tests.memory_tables import ALL_TIME, AnswerRow, LearnerRow, PushRow, utc


class MemoryLinkRepo(MemoryRepo):
    async def identities(self, learner_id: int) -> list[Identity]:
        return sorted((i for i in self._t.identities.values() if i.learner_id == learner_id),
                      key=lambda i: (i.linked_at, i.platform))

    async def issue_code(self, code_hash: str, identity: Identity, now: datetime,
                         expires_at: datetime) -> None:
        t = self._t
        t.link_codes = {k: v for k, v in t.link_codes.items() if v.learner_id != identity.learner_id}
        t.link_codes[code_hash] = LinkCode(identity.learner_id, identity.platform, identity.user_id,
                                           utc(expires_at), None)

    async def find_code(self, code_hash: str) -> LinkCode | None:
        return self._t.link_codes.get(code_hash)

    async def use_code(self, code_hash: str, now: datetime) -> bool:
        code = self._t.link_codes.get(code_hash)
        if code is None or code.used_at is not None:
            return False
        self._t.link_codes[code_hash] = replace(code, used_at=utc(now))
        return True

    async def guesses(self, platform: str, user_id: str) -> Guesses:
        return self._t.link_guesses.get((platform, user_id), Guesses())

    async def set_guesses(self, platform: str, user_id: str, guesses: Guesses) -> None:
        self._t.link_guesses.pop((platform, user_id), None)
        if guesses != Guesses():
            locked = None if guesses.locked_until is None else utc(guesses.locked_until)
            self._t.link_guesses[(platform, user_id)] = Guesses(guesses.wrong, locked)

    async def merge(self, into: int, joining: int, take_cards: Collection[str], now: datetime) -> None:
        t, take = self._t, set(take_cards)
        t.cards = {(into if lid == joining else lid, q): card for (lid, q), card in t.cards.items()
                   if not (lid == into and q in take) and not (lid == joining and q not in take)}
        t.answers = {k: AnswerRow(a.id, into, a.record) if a.learner_id == joining else a
                     for k, a in t.answers.items()}
        t.prompts = {k: replace(p, learner_id=into) if p.learner_id == joining else p
                     for k, p in t.prompts.items()}
        t.mocks = {k: replace(m, learner_id=into) if m.learner_id == joining else m
                   for k, m in t.mocks.items()}
        t.reports = {k: (into, r) if lid == joining else (lid, r) for k, (lid, r) in t.reports.items()}
        t.pushes = {k: PushRow(replace(p.key, learner_id=into), p.claimed_at, p.outcome)
                    if p.key.learner_id == joining else p for k, p in t.pushes.items()}
        t.exams = {(into if lid == joining else lid, day): row for (lid, day), row in t.exams.items()
                   if not (lid == joining and (into, day) in t.exams)}
        t.group_answers = {(prompt, into if lid == joining else lid): row
                           for (prompt, lid), row in t.group_answers.items()
                           if not (lid == joining and (prompt, into) in t.group_answers)}
        t.members = {(p, c, into if lid == joining else lid): at for (p, c, lid), at in t.members.items()
                     if not (lid == joining and (p, c, into) in t.members)}
        subscribed = t.report_subscriptions
        t.report_subscriptions = {(p, c, into if lid == joining else lid): row
                                  for (p, c, lid), row in subscribed.items()
                                  if not (lid == joining and (p, c, into) in subscribed)}
        points: dict[tuple[str, str, date, int], int] = {}
        for (p, c, period, lid), value in t.group_points.items():
            key = (p, c, period, into if lid == joining else lid)
            points[key] = points.get(key, 0) + value
        t.group_points = points
        kept, gone = t.learners[into], t.learners[joining]
        t.learners[into] = replace(kept, points=kept.points + gone.points)
        t.identities = {k: replace(i, learner_id=into, linked_at=utc(now)) if i.learner_id == joining else i
                        for k, i in t.identities.items()}
        t.link_codes = {k: v for k, v in t.link_codes.items() if v.learner_id != joining}
        del t.learners[joining]
        total = t.learners[into].points
        for p, c, lid in t.members:
            if lid == into and total > 0:
                t.group_points[(p, c, ALL_TIME, into)] = total

    async def detach(self, identity: Identity, display_name: str, now: datetime) -> int:
        t, account = self._t, (identity.platform, identity.user_id)
        learner = t.learners[identity.learner_id].learner
        if (learner.platform, learner.user_id) == account:
            rest = [i for i in await self.identities(identity.learner_id)
                    if (i.platform, i.user_id) != account]
            await self.push_to(rest[0])
        new_id = t.next_id("learners")
        t.learners[new_id] = LearnerRow(Learner(
            id=new_id, platform=identity.platform, user_id=identity.user_id,
            display_name=display_name[:128], timezone=None, remind_at=None, exam_date=None,
            daily_goal=DEFAULT_GOAL, private_chat_id=identity.private_chat_id,
            unreachable=identity.unreachable), created_at=utc(now))
        t.identities[account] = replace(t.identities[account], learner_id=new_id, linked_at=utc(now))
        t.report_subscriptions = {
            (p, chat, new_id if (p, lid) == (identity.platform, identity.learner_id) else lid): row
            for (p, chat, lid), row in t.report_subscriptions.items()}
        return new_id

    async def push_to(self, identity: Identity) -> None:
        if (row := self._t.learners.get(identity.learner_id)) is not None:
            self._t.learners[identity.learner_id] = replace(row, learner=replace(
                row.learner, platform=identity.platform, user_id=identity.user_id,
                private_chat_id=identity.private_chat_id, unreachable=identity.unreachable))

    async def mark_unreachable(self, platform: str, user_id: str) -> None:
        t = self._t
        if (identity := t.identities.get((platform, user_id))) is not None:
            t.identities[(platform, user_id)] = replace(identity, unreachable=True)
        for lid, row in list(t.learners.items()):
            if (row.learner.platform, row.learner.user_id) == (platform, user_id):
                t.learners[lid] = replace(row, learner=replace(row.learner, unreachable=True))
