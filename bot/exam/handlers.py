"""/examresult and the "How did it go?" buttons: a sitting of the real exam, and what follows from it.

After a fail: the first retake date (after AMT's wait), the attempts left and a plan to the retake
weighted to the weak domains. After a pass: the renewal cycle and the CCP points due (the numbers are
in bot.domain.exam). One sitting per day: a second report for the same day corrects the first, so a
double press or a fixed typo never uses up an attempt.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot import payloads
from bot.domain.exam import (
    ANNUAL_FEE,
    CCP_PER_CYCLE,
    CCP_PER_YEAR,
    CYCLE_YEARS,
    MAX_ATTEMPTS,
    RETAKE_WAIT_DAYS,
)
from bot.domain.exam_history import (
    attempts_in_cycle,
    attempts_left,
    why_impossible,
    with_report,
    years_after,
)
from bot.domain.models import ExamAttempt
from bot.domain.plan import build
from bot.errors import BadInput, NeedsChoice
from bot.inputs.dates import calendar_date
from bot.inputs.text import quote
from bot.outgoing import Choice, Outgoing
from bot.plan.handlers import learner_state, render
from bot.turn import Turn

PAST_LIMIT_YEARS = 3  # older sittings change nothing the bot tracks; an older date is a typo
WORDS = {"passed": True, "pass": True, "failed": False, "fail": False}


def _usage(today: date) -> str:
    return ("Tell me how your exam went: /examresult passed or /examresult failed, with its date if it "
            f"was not your exam date. Example: /examresult failed {today - timedelta(days=1):%Y-%m-%d} "
            f"(or {today - timedelta(days=1):%b %-d %Y})")


def _taken_on(day: date, today: date) -> date:
    if day > today:
        raise BadInput(f"{day.isoformat()} has not happened yet. {_usage(today)}")
    if day < years_after(today, -PAST_LIMIT_YEARS):
        raise BadInput(f"{day.isoformat()} is more than {PAST_LIMIT_YEARS} years ago. {_usage(today)}")
    return day


async def command(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    """`/examresult passed|failed [date]`; without arguments, what is recorded so far."""
    if not args:
        return await _status(turn)
    passed = WORDS.get(args[0].lower())
    if passed is None:
        raise BadInput(f"{quote(args[0])} is not passed or failed. {_usage(turn.today)}")
    exam = turn.learner.exam_date
    if len(args) == 1:
        return await record(turn, passed, exam if exam is not None and exam <= turn.today else turn.today)
    try:
        day = calendar_date(" ".join(args[1:]), _usage(turn.today))
    except NeedsChoice as question:
        raise question.offer(lambda d: Choice(f"{d:%a %b %-d, %Y}", payloads.encode(
            payloads.ExamResult(passed, d)))) from None
    return await record(turn, passed, day)


async def record(turn: Turn, passed: bool, day: date) -> Outgoing:
    """Stores a sitting if the history it makes can happen; says which rule it breaks if not."""
    taken = _taken_on(day, turn.today)
    history = with_report(await turn.tx.exams.exam_attempts(turn.learner.id), ExamAttempt(taken, passed))
    if (reason := why_impossible(history)) is not None:
        raise BadInput(f"I can't record that: {reason} If a date is wrong, report the sitting with its "
                       "date, e.g. /examresult failed 2026-02-03; /examresult shows what is recorded.")
    await turn.tx.exams.record_exam_attempt(turn.learner.id, taken, passed, turn.now)
    certified_on = max((a.taken_on for a in history if a.passed), default=None)
    if certified_on != turn.learner.certified_on:
        await turn.save_learner(certified_on=certified_on)  # yearly renewal reminders from the pass
    lines = _passed(taken) if passed else await _failed(turn, taken, history)
    return Outgoing("\n".join(lines), private=True)


def _passed(taken: date) -> list[str]:
    end = years_after(taken, CYCLE_YEARS)
    steps = ", ".join(f"{CCP_PER_YEAR * y} by {years_after(taken, y).isoformat()}"
                      for y in range(1, CYCLE_YEARS + 1))
    return [
        f"Congratulations on passing the CMAS! Recorded: passed on {taken.isoformat()}.",
        f"Renewal: your certification runs in {CYCLE_YEARS}-year cycles; this one ends "
        f"{end:%A %d %B %Y}.",
        f"Continuing competency (CCP): {CCP_PER_YEAR} points a year, {CCP_PER_CYCLE} in the "
        f"cycle ({steps}).",
        f"The annual fee is ${ANNUAL_FEE}. Check AMT's current handbook: fees and policies change.",
    ]


def _retake_lines(taken: date, attempts: list[ExamAttempt], today: date) -> list[str]:
    retake = taken + timedelta(days=RETAKE_WAIT_DAYS)
    left = attempts_left(attempts)
    lines = [f"First retake date: {retake:%A %d %B %Y} (AMT's {RETAKE_WAIT_DAYS}-day wait)."
             if retake > today else
             f"You can book a retake now: the {RETAKE_WAIT_DAYS}-day wait ended on {retake.isoformat()}."]
    lines.append(f"Attempts left: {left} of {MAX_ATTEMPTS}." if left else
                 f"That was the last of the {MAX_ATTEMPTS} attempts AMT allows: contact AMT about "
                 "your options.")
    return lines


async def _failed(turn: Turn, taken: date, attempts: list[ExamAttempt]) -> list[str]:
    number = attempts_in_cycle([a for a in attempts if a.taken_on <= taken])
    lines = [f"Sorry it did not go your way this time. Recorded: attempt {number}, not passed, on "
             f"{taken.isoformat()}.", *_retake_lines(taken, attempts, turn.today)]
    retake = taken + timedelta(days=RETAKE_WAIT_DAYS)
    if retake > turn.today and attempts_left(attempts):
        records, unseen = await learner_state(turn)
        plan = build(turn.today, retake, unseen, records, retake=True)
        lines += ["", "A plan to the first retake date, weakest domains first:",
                  *render(plan, turn.today, records, turn.learner.daily_goal)[1:]]
    lines += ["", "Once you book the retake, set it with /examdate (e.g. /examdate 2027-02-15); /plan "
                  "then plans to it, weakest domains first."]
    return lines


async def _status(turn: Turn) -> Outgoing:
    attempts = await turn.tx.exams.exam_attempts(turn.learner.id)
    if not attempts:
        return Outgoing(f"No exam results recorded yet. {_usage(turn.today)}", private=True)
    history = ", ".join(f"{a.taken_on.isoformat()} {'passed' if a.passed else 'not passed'}"
                        for a in attempts)
    last = attempts[-1]
    lines = [f"Your recorded exams: {history}."]
    lines += (_passed(last.taken_on)[1:3] if last.passed
              else _retake_lines(last.taken_on, attempts, turn.today))
    return Outgoing("\n".join(lines), private=True)
