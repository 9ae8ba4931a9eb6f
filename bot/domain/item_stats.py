"""Item analysis: what learners' first answers say about each question, so broken items surface.

Per question version, from every learner's first answer to it:
- p-value: the share right (very high: it teaches nothing; very low: a wrong key or a trick);
- discrimination: the point-biserial correlation between being right on this item and the learner's
  score on all their other first answers (low or negative: strong learners miss it as often as weak
  ones, the classic sign of a wrong key or two defensible answers);
- each stored choice's share, and whether the strongest learners (top 27 % by that score) pick a
  distractor more often than the key;
- learners' problem reports.
Statistics flag only once MIN_LEARNERS answered; any report flags at once.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.models import ItemAnswer, ProblemReport
from bot.domain.questions import LETTERS, Question

MIN_LEARNERS = 20  # first answers before a share is shown to learners or a statistic flags
TOO_EASY, TOO_HARD = 0.95, 0.20
LOW_DISCRIMINATION = 0.15
STRONG_SHARE = 0.27  # the classic upper group of item analysis


@dataclass(frozen=True, slots=True)
class ItemStats:
    question: Question
    answered: int
    p_value: float | None
    discrimination: float | None
    shares: dict[str, float]  # stored letter -> share of the answers that recorded a choice
    reports: int
    flags: tuple[str, ...]


def analyse(questions: Iterable[Question], answers: Sequence[ItemAnswer],
            reports: Sequence[ProblemReport]) -> list[ItemStats]:
    """Statistics and flags for every question, in bank order."""
    by_learner: defaultdict[int, list[ItemAnswer]] = defaultdict(list)
    by_item: defaultdict[tuple[str, int], list[ItemAnswer]] = defaultdict(list)
    for a in answers:
        by_learner[a.learner_id].append(a)
        by_item[(a.question_id, a.version)].append(a)
    totals = {lid: (len(mine), sum(a.correct for a in mine)) for lid, mine in by_learner.items()}
    reported: defaultdict[tuple[str, int], int] = defaultdict(int)
    for r in reports:
        reported[(r.question_id, r.version)] += 1
    return [_item(q, by_item[(q.id, q.version)], totals, reported[(q.id, q.version)]) for q in questions]


def _item(question: Question, answers: list[ItemAnswer], totals: dict[int, tuple[int, int]],
          reports: int) -> ItemStats:
    n = len(answers)
    chose = [a.choice for a in answers if a.choice]
    shares = {letter: chose.count(letter) / len(chose) for letter in LETTERS} if chose else {}
    p = sum(a.correct for a in answers) / n if n else None
    rest = [_rest_score(a, totals) for a in answers]
    r = _point_biserial([a.correct for a in answers], rest) if n >= 2 else None
    flags: list[str] = []
    if n >= MIN_LEARNERS and p is not None:
        if r is not None and r < 0:
            flags.append(f"negative discrimination ({r:.2f})")
        elif r is not None and r < LOW_DISCRIMINATION:
            flags.append(f"low discrimination ({r:.2f})")
        if p > TOO_EASY:
            flags.append(f"very easy (p {p:.2f})")
        if p < TOO_HARD:
            flags.append(f"very hard (p {p:.2f})")
        flags += _strong_distractors(question, answers, rest)
    if reports:
        flags.append(f"{reports} report(s)")
    return ItemStats(question, n, p, r, shares, reports, tuple(flags))


def _rest_score(answer: ItemAnswer, totals: dict[int, tuple[int, int]]) -> float:
    """The learner's share right on their other first answers (0.5 when this is their only one)."""
    count, right = totals[answer.learner_id]
    others = count - 1
    return (right - answer.correct) / others if others else 0.5


def _point_biserial(right: Sequence[bool], scores: Sequence[float]) -> float | None:
    n = len(scores)
    mean = sum(scores) / n
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / n)
    p = sum(right) / n
    if sd == 0 or p in (0, 1):
        return None
    m1 = sum(s for s, ok in zip(scores, right, strict=True) if ok) / sum(right)
    m0 = sum(s for s, ok in zip(scores, right, strict=True) if not ok) / (n - sum(right))
    return (m1 - m0) / sd * math.sqrt(p * (1 - p))


def _strong_distractors(question: Question, answers: list[ItemAnswer], rest: list[float]) -> list[str]:
    ranked = sorted(zip(rest, answers, strict=True), key=lambda pair: -pair[0])
    strong = [a.choice for _, a in ranked[:max(1, round(STRONG_SHARE * len(ranked)))] if a.choice]
    if not strong:
        return []
    key = strong.count(question.answer)
    return [f"strong learners pick {letter} over the key {question.answer}"
            for letter in LETTERS if letter != question.answer and strong.count(letter) > key]
