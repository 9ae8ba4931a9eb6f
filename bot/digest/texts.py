"""The digest in words, its "Drill it" button, and the /digest replies."""

from __future__ import annotations

from datetime import datetime

from bot import payloads
from bot.digest.figures import Week
from bot.digest.schedule import DIGEST_AT
from bot.digest.topics import drill_word
from bot.domain.exam import BY_NUMBER
from bot.domain.figures import percent, rounded
from bot.domain.models import DomainRecord, Learner
from bot.domain.questions import Bank
from bot.domain.readiness import MIN_FIRST_ATTEMPTS, Forecast
from bot.outgoing import Choice, Outgoing

USAGE = "/digest on: your week in review every Sunday evening; /digest off stops it."
STOP = "(/digest off stops these.)"
WHEN = f"Sundays at {DIGEST_AT:%H:%M} your time"


def settings_line(learner: Learner) -> str:
    return f"Weekly digest: {f'on ({WHEN})' if learner.digest else 'off (/digest on)'}"


def turned_on(first: datetime, zone_name: str) -> str:
    return (f"Weekly digest on: {WHEN} ({zone_name}), the first on {first:%A %d %B}. It shows your "
            f"week's answers and accuracy against the week before, your streak, your readiness "
            f"against a week ago and your weakest topic to drill. {STOP}")


def _accuracy(record: DomainRecord) -> int:
    return percent(record.correct, record.answered)  # /stats' accuracy


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _readiness(now: Forecast | None, before: Forecast | None) -> str:
    if now is None:
        return (f"Readiness: shows once every domain has {MIN_FIRST_ATTEMPTS} first answers "
                "(/stats says which still need some).")
    mean, chance = rounded(now.mean_pct), rounded(100 * now.pass_chance)
    if before is None:
        return (f"Readiness: about {mean}%, pass chance {chance}% (a week ago there was not "
                "enough to go on).")
    return (f"Readiness: about {mean}% ({mean - rounded(before.mean_pct):+d} points on a week ago), "
            f"pass chance {chance}% ({chance - rounded(100 * before.pass_chance):+d}).")


def _drill(bank: Bank, topic: str) -> Choice:
    """Quizzes the topic by a word /quiz reads as it; its domain if no word does."""
    word = drill_word(topic, bank.topics)
    button = payloads.Next(daily=False, topic=word) if word is not None else \
        payloads.Next(daily=False, domain=bank.topics[topic])
    return Choice(f"Drill it: {topic}", payloads.encode(button))


def digest(week: Week, bank: Bank) -> Outgoing:
    """The week in review; a learner who answered nothing this week gets a short nudge instead."""
    if not week.this.answered:
        last = f" (last week: {week.last.answered})" if week.last.answered else ""
        return Outgoing(f"Your week in review: no questions this week{last}. Ten minutes tonight "
                        f"gets you going again. {STOP}",
                        (Choice("Start a session", payloads.encode(payloads.Next(daily=True))),))
    accuracy = _accuracy(week.this)
    change = (f"last week {_accuracy(week.last)}%, {accuracy - _accuracy(week.last):+d} points"
              if week.last.answered else "no answers last week")
    lines = [
        f"Your week in review (since Monday {week.first_day:%d %B})",
        f"Answered: {week.this.answered} (last week {week.last.answered})",
        f"Accuracy: {accuracy}% ({change})",
        f"Streak: {_days(week.streak)}",
        _readiness(week.readiness, week.readiness_before),
    ]
    choices: tuple[Choice, ...] = ()
    if week.weakest is None:
        lines.append("Weakest topic: none below the pass mark among the topics you have answered "
                     "often enough. Keep it up!")
    else:
        topic, record = week.weakest
        domain = BY_NUMBER[bank.topics[topic]]
        lines.append(f"Weakest topic: {topic} (D{domain.number} {domain.short}): "
                     f"{_accuracy(record)}% of {record.answered} answers")
        choices = (_drill(bank, topic),)
    return Outgoing("\n".join([*lines, STOP]), choices)
