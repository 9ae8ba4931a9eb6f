"""The study plan to an exam date: week blocks with focus domains, a daily quota of new questions, and
when to sit mock exams. Pure: everything comes in as arguments.

The rules (also in the README):
- The last FINAL_DAYS before the exam are for review and timed mocks, with no new questions; the daily
  quota spreads the questions not yet seen over the days before that.
- Those earlier weeks follow cmas-exam.md's six-week order in three phases: D1-2 (the vocabulary the
  rest builds on), D4-6 (the longest block), then D3/7/8. A phase's share of the weeks is its
  domains' blueprint weight times the learner's weakness in them (the bank follows the blueprint, so
  the share also matches the unseen questions the quota brings); within a week, domains are listed
  by weight x weakness. For a retake the phases are instead the domains by weight x weakness,
  weakest first.
- Mocks: a sprint at the end of each phase and at least every fourth week, a full mock as the final
  week starts and a sprint three days out; with a week or less, a full mock now and a sprint later
  if it fits. Never on the day before the exam.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from bot.domain.exam import BY_NUMBER, DOMAINS, PASS_MARK, SCALE_MAX, MockKind
from bot.domain.models import DomainRecord

FINAL_DAYS = 7
WEAK_BELOW = PASS_MARK / SCALE_MAX  # accuracy under the pass mark
WEAK_MIN_ANSWERS = 5
Key = TypeVar("Key", int, str)  # a domain number or a topic
PHASES: tuple[tuple[int, ...], ...] = ((1, 2), (4, 5, 6), (3, 7, 8))  # the six-week order
SPRINT_EVERY_WEEKS = 4


@dataclass(frozen=True, slots=True)
class Block:
    first: date
    last: date
    domains: tuple[int, ...]
    final: bool = False  # review and mocks, no new questions


@dataclass(frozen=True, slots=True)
class Plan:
    exam: date
    blocks: tuple[Block, ...]  # one per week, in order
    quota: int  # new questions a day
    new_until: date  # the last day of new questions
    unseen: int
    mocks: tuple[tuple[date, MockKind], ...]


def weakest_first(records: Mapping[Key, DomainRecord]) -> list[Key]:
    """The weak entries (domains for /plan, topics for the digest), weakest first: at least
    WEAK_MIN_ANSWERS answers and accuracy under the pass mark; ties in key order."""
    weak = sorted((r.correct / r.answered, key) for key, r in records.items()
                  if r.answered >= WEAK_MIN_ANSWERS and r.correct / r.answered < WEAK_BELOW)
    return [key for _, key in weak]


def emphasis(records: Mapping[int, DomainRecord]) -> dict[int, float]:
    """Each domain's weakness relative to the learner's average, within 0.5-2 (1 without evidence)."""
    weakness = {d.number: records.get(d.number, DomainRecord()).weakness for d in DOMAINS}
    average = sum(d.weight * weakness[d.number] for d in DOMAINS) / sum(d.weight for d in DOMAINS)
    return {d: min(max(w / average, 0.5), 2.0) for d, w in weakness.items()}


def priority(domains: Sequence[int], boost: Mapping[int, float]) -> tuple[int, ...]:
    """Heaviest x weakest first."""
    return tuple(sorted(domains, key=lambda d: (-BY_NUMBER[d].weight * boost[d], d)))


def _phases(boost: Mapping[int, float], retake: bool) -> list[tuple[tuple[int, ...], float]]:
    """(domains, share of the study weeks) in study order."""
    ranked = priority(list(BY_NUMBER), boost)
    chunks = (ranked[:3], ranked[3:6], ranked[6:]) if retake else \
        tuple(priority(domains, boost) for domains in PHASES)
    return [(c, sum(BY_NUMBER[d].weight * boost[d] for d in c)) for c in chunks]


def _weeks_per_phase(shares: Sequence[float], weeks: int) -> list[int]:
    """Largest-remainder allocation of the weeks by share, then at least one week per phase."""
    exact = [weeks * s / sum(shares) for s in shares]
    counts = [int(e) for e in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: -(exact[i] - counts[i]))
    for i in by_remainder[:weeks - sum(counts)]:
        counts[i] += 1
    for i, count in enumerate(counts):
        if count == 0:
            counts[counts.index(max(counts))] -= 1
            counts[i] = 1
    return counts


def _sprints(weeks: int, phase_ends: set[int]) -> list[int]:
    """Study weeks that end with a sprint: each phase end, and more spread evenly wherever the gap
    would exceed SPRINT_EVERY_WEEKS (the full mock after the last study week closes the last gap)."""
    chosen, previous = [], -1
    for anchor in [*sorted(phase_ends), weeks - 1]:
        gap = anchor - previous
        extra = math.ceil(gap / SPRINT_EVERY_WEEKS) - 1
        chosen += [previous + round(k * gap / (extra + 1)) for k in range(1, extra + 1)]
        chosen.append(anchor)
        previous = anchor
    return [w for w in chosen if w < weeks - 1]


def _study_blocks(weeks: Sequence[tuple[date, date]],
                  phases: Sequence[tuple[tuple[int, ...], float]]) -> tuple[list[Block], set[int]]:
    """The focus of each study week, and the indexes of weeks that end a phase."""
    shares = [share for _, share in phases]
    if len(weeks) >= len(phases):
        blocks, ends, start = [], set(), 0
        for (domains, _), count in zip(phases, _weeks_per_phase(shares, len(weeks)), strict=True):
            blocks += [Block(*weeks[i], domains) for i in range(start, start + count)]
            start += count
            ends.add(start - 1)
        return blocks, ends - {len(weeks) - 1}
    # Fewer weeks than phases: each week takes every phase that overlaps its slice of the time.
    bounds = [len(weeks) * sum(shares[:k]) / sum(shares) for k in range(len(shares) + 1)]
    blocks = []
    for i, week in enumerate(weeks):
        overlapping = [d for k, (ds, _) in enumerate(phases) for d in ds
                       if bounds[k] < i + 1 - 1e-9 and bounds[k + 1] > i + 1e-9]
        blocks.append(Block(*week, tuple(overlapping)))
    return blocks, set(range(len(weeks) - 1))


def build(today: date, exam: date, unseen: int, records: Mapping[int, DomainRecord],
          retake: bool = False) -> Plan:
    """The plan for an exam at least a day away."""
    days = (exam - today).days
    assert days >= 1, "no plan for today's or a past exam"
    boost = emphasis(records)
    review_from = max(exam - timedelta(days=FINAL_DAYS), today)
    final = Block(review_from, exam - timedelta(days=1), priority(list(BY_NUMBER), boost), final=True)
    study_days = (review_from - today).days
    weeks: list[tuple[date, date]] = []  # counted back from the final week, so only the first can be short
    for end in range(study_days, 0, -7):
        weeks.insert(0, (today + timedelta(days=max(end - 7, 0)), today + timedelta(days=end - 1)))
    blocks, phase_ends = _study_blocks(weeks, _phases(boost, retake)) if weeks else ([], set())
    mocks: list[tuple[date, MockKind]] = []
    if weeks:
        mocks += [(weeks[i][1], MockKind.SPRINT) for i in _sprints(len(weeks), phase_ends)]
        mocks += [(review_from, MockKind.FULL), (exam - timedelta(days=3), MockKind.SPRINT)]
    elif days >= 3:
        mocks += [(today, MockKind.FULL),
                  (max(exam - timedelta(days=3), today + timedelta(days=1)), MockKind.SPRINT)]
    else:
        mocks.append((today, MockKind.SPRINT))
    new_days = study_days or days
    return Plan(exam, (*blocks, final), math.ceil(unseen / new_days),
                today + timedelta(days=new_days - 1), unseen,
                tuple(m for m in mocks if m[0] < exam - timedelta(days=1) or days <= 2))
