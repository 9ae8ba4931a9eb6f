"""The digest's figures, each computed by the function /stats and /plan use for it: answers and
accuracy (bot.domain.figures), the streak (bot.domain.streaks), readiness (bot.domain.readiness)
and the weakest topic (/plan's rule, bot.digest.topics)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.digest.topics import topic_records, weakest
from bot.domain.models import DomainRecord, FirstAttempt, Learner
from bot.domain.questions import Bank
from bot.domain.readiness import Forecast, evidence, forecast, missing
from bot.domain.schedule import week_start
from bot.domain.streaks import as_of
from bot.ports.storage import UnitOfWork

WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Week:
    first_day: date  # this week's Monday, local
    this: DomainRecord  # answers since Monday 00:00 local, and the right ones
    last: DomainRecord  # the week before, Monday to Monday
    streak: int
    readiness: Forecast | None  # None: not enough evidence yet
    readiness_before: Forecast | None  # as it stood a week ago
    weakest: tuple[str, DomainRecord] | None  # topic and its record


def readiness_at(attempts: list[FirstAttempt], at: datetime) -> Forecast | None:
    """The /stats forecast as it stood at `at`, from the first attempts made by then."""
    found = evidence([a for a in attempts if a.at <= at], at)
    return None if missing(found) else forecast(found)


async def week_of(tx: UnitOfWork, bank: Bank, learner: Learner, zone: ZoneInfo, now: datetime) -> Week:
    monday = week_start(now, zone)
    attempts = await tx.answers.first_attempts(learner.id)
    topics = topic_records(bank, await tx.answers.question_tallies(learner.id))
    weak = weakest(topics)
    return Week(
        first_day=monday.date(),
        this=await tx.answers.tally(learner.id, monday, now),
        last=await tx.answers.tally(learner.id, monday - WEEK, monday),
        streak=as_of(learner.streak, now.astimezone(zone).date()).days,
        readiness=readiness_at(attempts, now),
        readiness_before=readiness_at(attempts, now - WEEK),
        weakest=(weak, topics[weak]) if weak is not None else None,
    )
