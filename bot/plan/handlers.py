"""/plan: the learner's study plan to their exam date, as text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from bot.domain.exam import BY_NUMBER
from bot.domain.figures import percent
from bot.domain.models import DomainRecord
from bot.domain.plan import Block, Plan, build, weakest_first
from bot.errors import BadInput
from bot.inputs.settings import GOAL_MAX
from bot.outgoing import Outgoing
from bot.turn import Turn


async def learner_state(turn: Turn) -> tuple[dict[int, DomainRecord], int]:
    """Accuracy per domain (the figure /stats shows), and how many bank questions the learner has
    never met."""
    records = await turn.tx.answers.domain_records(turn.learner.id)
    seen = {c.question_id for c in await turn.tx.answers.cards(turn.learner.id)}
    seen |= await turn.tx.mocks.mock_seen(turn.learner.id)
    return records, sum(q.id not in seen for q in turn.bank.askable)


def day(d: date) -> str:
    return f"{d:%b} {d.day}"


def span(first: date, last: date) -> str:
    if first == last:
        return day(first)
    return f"{day(first)}-{last.day}" if (first.year, first.month) == (last.year, last.month) \
        else f"{day(first)} - {day(last)}"


def _names(domains: tuple[int, ...]) -> str:
    return ", ".join(f"D{d} {BY_NUMBER[d].short}" for d in domains)


def _rows(blocks: tuple[Block, ...]) -> list[str]:
    """One line per run of weeks with the same focus."""
    rows: list[str] = []
    study = [b for b in blocks if not b.final]
    start = 0
    for i, block in enumerate(study):
        if i + 1 < len(study) and study[i + 1].domains == block.domains:
            continue
        weeks = f"Week {start + 1}" if start == i else f"Weeks {start + 1}-{i + 1}"
        rows.append(f"{weeks} ({span(study[start].first, block.last)}): {_names(block.domains)}")
        start = i + 1
    final = blocks[-1]
    if study:
        rows.append(f"Final week ({span(final.first, final.last)}): no new questions; reviews (/daily), "
                    f"mocks, and extra practice in {_names(final.domains[:3])}")
    else:
        rows.append(f"Until the exam ({span(final.first, final.last)}): reviews (/daily), then new "
                    f"questions in {_names(final.domains[:3])} first")
    return rows


def render(plan: Plan, today: date, records: Mapping[int, DomainRecord], goal: int) -> list[str]:
    days = (plan.exam - today).days
    lines = [f"Your plan to {plan.exam:%A %d %B %Y} ({days} day{'s' if days != 1 else ''} left)"]
    if plan.unseen == 0:
        lines.append("You have met every question in the bank: spend the time on reviews and mocks.")
    else:
        lines.append(f"New questions: {plan.quota} a day until {day(plan.new_until)}, to meet the "
                     f"{plan.unseen} you have not seen yet.")
        if plan.quota > GOAL_MAX:
            lines.append("That is more than a day holds: favour the first domains listed each week.")
        elif plan.quota > goal:
            lines.append(f"Your /goal is {goal} answers a day, reviews included: raise it to at least "
                         f"{plan.quota}.")
    lines += ["", *_rows(plan.blocks), ""]
    mocks = ", ".join(f"{kind} {day(d)}" for d, kind in plan.mocks)
    rest = " Rest the day before the exam." if days >= 3 else ""
    lines.append(f"Mock exams (/mock): {mocks}.{rest}")
    weak = weakest_first(records)
    if weak:
        lines.append("Weakest so far, given more time: " + ", ".join(
            f"D{d} {BY_NUMBER[d].short} {percent(records[d].correct, records[d].answered)}%"
            for d in weak[:3]))
    return lines


async def command(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    example = f"Example: /examdate {turn.today + timedelta(days=60):%Y-%m-%d}"
    if args:
        raise BadInput(f"/plan takes no arguments: it plans to your exam date. {example}")
    exam = turn.learner.exam_date
    if exam is None:
        raise BadInput(f"Set your exam date first, then send /plan. {example}")
    if exam < turn.today:
        raise BadInput(f"Your exam date {exam.isoformat()} has passed: tell me how it went with "
                         f"/examresult passed or /examresult failed, or set a new date. {example}")
    if exam == turn.today:
        return Outgoing("Your exam is today: no new material now. A light look at what /daily brings, "
                        "then rest. Good luck! Afterwards, tell me how it went: /examresult passed or "
                        "/examresult failed.", private=True)
    records, unseen = await learner_state(turn)
    attempts = await turn.tx.exams.exam_attempts(turn.learner.id)
    retake = bool(attempts) and not attempts[-1].passed and attempts[-1].taken_on < exam
    lines = render(build(turn.today, exam, unseen, records, retake), turn.today, records,
                   turn.learner.daily_goal)
    if retake:
        lines.insert(1, "A retake: the weeks put your weakest domains first.")
    return Outgoing("\n".join(lines), private=True)
