"""The group report's figures, each counted in the database (bot.ports.storage.GroupRepo) over the
members' answers: practice, group questions and mocks alike, as every learner figure counts them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.digest.schedule import MONDAY
from bot.domain.models import DomainRecord, Group, MissedQuestion, QuietMember
from bot.ports.storage import UnitOfWork

WINDOW = timedelta(days=7)  # "this week": active members, accuracy and the most missed
QUIET_FOR = timedelta(days=3)
EXAM_WITHIN_DAYS = 30
MISSED_MIN_MEMBERS = 3  # one member's misses are not "the group's most missed"
MISSED_SHOWN = 5
REPORT_DAY, REPORT_AT = MONDAY, time(9, 0)  # the weekly one, in the admin's time zone


@dataclass(frozen=True, slots=True)
class GroupReport:
    title: str
    today: date  # the reader's local day, which days to an exam count from
    members: int
    active: list[str]  # names of members who answered in the window
    domains: dict[int, DomainRecord]
    missed: list[MissedQuestion]
    quiet: list[QuietMember]


async def gather(tx: UnitOfWork, group: Group, now: datetime, today: date) -> GroupReport:
    at = (group.platform, group.chat_id)
    since = now - WINDOW
    return GroupReport(
        title=group.title, today=today,
        members=await tx.groups.member_count(*at),
        active=await tx.groups.active_members(*at, since),
        domains=await tx.groups.domain_tally(*at, since),
        missed=await tx.groups.most_missed(*at, since, MISSED_MIN_MEMBERS, MISSED_SHOWN),
        quiet=await tx.groups.quiet_members(*at, today, today + timedelta(days=EXAM_WITHIN_DAYS),
                                            now - QUIET_FOR),
    )
