"""Choosing the next question: due reviews first (most forgotten first), then a new question drawn by
blueprint weight x the learner's weakness in each domain. Pure: everything comes in as arguments."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.domain.exam import BY_NUMBER
from bot.domain.models import DomainRecord
from bot.domain.questions import Bank, Question


@dataclass(frozen=True, slots=True)
class LearnerView:
    """What selection needs to know about a learner at one instant."""

    due: Sequence[tuple[str, float]]  # (question id, retrievability) of cards due now
    seen: frozenset[str]  # every question with a card
    answered_today: frozenset[str]
    last_question: str | None
    records: Mapping[int, DomainRecord] = field(default_factory=dict)
    not_due_by_retrievability: Sequence[str] = ()  # seen, not due, least remembered first


@dataclass(frozen=True, slots=True)
class Pick:
    question: Question
    is_review: bool


def pick_next(
    bank: Bank, view: LearnerView, rng: random.Random, domain: int | None = None,
    topics: frozenset[str] = frozenset(),
) -> Pick | None:
    """The next question for a learner, optionally within one domain or a set of topics; None if the
    scope is empty."""
    def in_scope(q: Question) -> bool:
        return (not q.retired and (domain is None or q.domain == domain)
                and (not topics or q.topic in topics))

    def allowed(qid: str) -> bool:
        q = bank.get(qid)
        return (q is not None and in_scope(q)
                and qid != view.last_question and qid not in view.answered_today)

    due = sorted((r, qid) for qid, r in view.due if allowed(qid))
    if due:
        return Pick(_get(bank, due[0][1]), is_review=True)

    new = _pick_new(bank, view, rng, domain, in_scope)
    if new is not None:
        return Pick(new, is_review=False)

    for qid in view.not_due_by_retrievability:
        if allowed(qid):
            return Pick(_get(bank, qid), is_review=True)

    # Everything in scope was answered today: repeat one, but never the one just asked.
    scope = [q for q in (bank.in_domain(domain) if domain else bank.askable) if in_scope(q)]
    pool = [q for q in scope if q.id != view.last_question] or scope
    return Pick(rng.choice(pool), is_review=True) if pool else None


def _pick_new(bank: Bank, view: LearnerView, rng: random.Random, domain: int | None,
              in_scope: Callable[[Question], bool]) -> Question | None:
    def new_here(q: Question) -> bool:
        return q.id not in view.seen and in_scope(q)

    # Which domains have a new question at all stops at the first one found; only the drawn domain's
    # are listed (every /quiz runs this over the whole bank).
    domains = [domain] if domain else list(BY_NUMBER)
    weights = {d: BY_NUMBER[d].weight * view.records.get(d, DomainRecord()).weakness
               for d in domains if any(map(new_here, bank.in_domain(d)))}
    if not weights:
        return None
    chosen = rng.choices(list(weights), weights=list(weights.values()))[0]
    return rng.choice([q for q in bank.in_domain(chosen) if new_here(q)])


def _get(bank: Bank, qid: str) -> Question:
    question = bank.get(qid)
    assert question is not None
    return question
