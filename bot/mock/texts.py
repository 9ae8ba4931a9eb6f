"""What a mock exam says: the running question with the time left, the result, the review, history."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.exam import BY_NUMBER, DOMAINS, PASS_CAVEAT, PASS_MARK, SCALE_MAX, passes
from bot.domain.figures import percent, rounded
from bot.domain.models import Mock, MockItem, MockOutcome
from bot.domain.questions import LETTERS, Question

RETIRED = "(This question has been retired from the bank; it counts as wrong.)"


def clock(left: timedelta) -> str:
    """`29:05`, or `1:59:05` from an hour up."""
    hours, rest = divmod(max(int(left.total_seconds()), 0), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _question_lines(question: Question | None) -> list[str]:
    if question is None:
        return [RETIRED]
    return [question.stem, "", *(f"{letter}. {choice}" for letter, choice in
                                 zip(LETTERS, question.choices, strict=True))]


def question_text(mock: Mock, question: Question | None, left: timedelta) -> str:
    header = f"{mock.kind.capitalize()} mock · {mock.position + 1}/{mock.total} · {clock(left)} left"
    return "\n".join((header, "", *_question_lines(question)))


def result_text(mock: Mock, items: Sequence[MockItem]) -> str:
    total, correct = len(items), sum(item.correct for item in items)
    answered = sum(item.letter is not None for item in items)
    name = f"{mock.kind.capitalize()} mock"
    if mock.outcome is MockOutcome.EXPIRED:
        head = f"{name}: time's up with {answered} of {total} answered"
        head += f" (the {total - answered} unanswered count as wrong)." if answered < total else "."
    else:
        assert mock.finished_at is not None
        head = f"{name} finished: all {total} answered in {clock(mock.finished_at - mock.started_at)}."
    if not answered:
        return (f"{name}: time's up before any answer, so there is nothing to score. It stays in your "
                "history; /mock starts a new one when you have the time.")
    score = percent(correct, total)
    share = correct / total
    margin = rounded(196 * math.sqrt(share * (1 - share) / total))  # 95 % binomial range, in points
    lines = [
        head,
        f"Correct: {correct} of {total} ({score}%).",
        f"Estimated score: {score} of {SCALE_MAX}: {'PASS' if passes(correct, total) else 'FAIL'} "
        f"({PASS_MARK} needed). The real exam could land anywhere from {max(score - margin, 0)} "
        f"to {min(score + margin, SCALE_MAX)}.",
        PASS_CAVEAT,
        "",
        "By domain (exam weight): right of asked",
    ]
    for domain in DOMAINS:
        asked = [item for item in items if item.domain == domain.number]
        if asked:
            right = sum(item.correct for item in asked)
            lines.append(f"D{domain.number} {domain.short} ({domain.weight}%): {right}/{len(asked)}, "
                         f"{percent(right, len(asked))}%")
    return "\n".join(lines)


def review_text(question: Question | None, item: MockItem, index: int, count: int) -> str:
    domain = BY_NUMBER[item.domain]
    lines = [f"Missed {index + 1} of {count} · question {item.position + 1} · D{domain.number} "
             f"{domain.short}", "", *_question_lines(question), ""]
    lines.append(f"You chose {item.letter}." if item.letter else "Not answered: the time ran out.")
    if question is not None:
        lines += [f"Answer: {question.answer}. {question.answer_text}", "", question.explanation,
                  f"Source: {question.source}"]
    return "\n".join(lines)


def history_line(mock: Mock, zone: ZoneInfo, now: datetime) -> str:
    line = f"{mock.started_at.astimezone(zone):%Y-%m-%d} {mock.kind}: "
    if mock.correct is not None:
        verdict = "pass" if passes(mock.correct, mock.total) else f"below {PASS_MARK}"
        late = ", time ran out" if mock.outcome is MockOutcome.EXPIRED else ""
        return line + f"{percent(mock.correct, mock.total)}% correct, {verdict}{late}"
    if mock.finished_at is not None:
        return line + f"abandoned after {mock.position} of {mock.total}"
    return line + (f"running, question {mock.position + 1} of {mock.total}, "
                   f"{clock(mock.ends_at - now)} left")
