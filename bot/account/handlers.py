"""Personal settings: exam date, reminder time, time zone, daily goal, and /forgetme."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import payloads
from bot.digest.schedule import next_digest_at
from bot.digest.texts import settings_line
from bot.domain.models import Learner
from bot.errors import BadInput, NeedsChoice
from bot.inputs.clock import clock_time
from bot.inputs.settings import daily_goal, exam_date, exam_day_in_range
from bot.inputs.zones import timezone_name, zone_option
from bot.outgoing import Choice, Outgoing
from bot.practice.learning import answered_today, note_progress
from bot.turn import Turn


def countdown(exam: date, today: date) -> str:
    days = (exam - today).days
    if days == 0:
        return "Your CMAS exam is today. Good luck!"
    return f"{days} day{'s' if days != 1 else ''} to your CMAS exam ({exam:%A %d %B %Y})."


async def examdate(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    if not args:
        current = turn.learner.exam_date
        now = countdown(current, turn.today) if current and current >= turn.today else "No exam date set."
        return Outgoing(f"{now}\nSet it with /examdate 2027-02-15 (or 2/15/2027, Feb 15 2027), remove it "
                        "with /examdate clear.")
    if args[0].lower() == "clear":
        await turn.save_learner(exam_date=None)
        return Outgoing("Exam date cleared.")
    try:
        day = exam_date(" ".join(args), turn.today)
    except NeedsChoice as question:
        raise question.offer(lambda d: Choice(f"{d:%a %b %-d, %Y}",
                                              payloads.encode(payloads.SetExamDate(d)))) from None
    return await set_exam_date(turn, day)


async def set_exam_date(turn: Turn, day: date) -> Outgoing:
    example = f"Example: /examdate {date(turn.today.year + 1, 3, 15).isoformat()}"
    day = exam_day_in_range(day, turn.today, example)
    await turn.save_learner(exam_date=day)
    return Outgoing(f"Exam date set. {countdown(day, turn.today)}")


async def remind(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    if not args:
        raise BadInput("Give a time (19:00, 7pm, 7:30 pm) or off. Example: /remind 19:00")
    if args[0].lower() == "off":
        await turn.save_learner(remind_at=None)
        return Outgoing("Daily study prompt turned off. /remind HH:MM turns it back on.")
    try:
        at = clock_time(" ".join(args))
    except NeedsChoice as question:
        raise question.offer(lambda t: Choice(f"{t:%H:%M}", payloads.encode(
            payloads.SetReminder(f"{t:%H:%M}")))) from None
    learner = await turn.save_learner(remind_at=at)
    return Outgoing(f"Daily study prompt set for {at:%H:%M} {_zone_name(turn, learner)}.")


async def set_timezone(turn: Turn, name: str) -> Outgoing:
    try:
        zone = timezone_name(name)
    except NeedsChoice as question:
        raise question.offer(_zone_button) from None
    await turn.save_learner(timezone=zone)
    if turn.learner.digest:  # Sunday evening in the new zone; the pushes key still sends one a Sunday
        await turn.tx.pushes.set_next_digest(turn.learner.id, next_digest_at(turn.zone, turn.now))
    return Outgoing(f"Time zone set to {zone} (it is {turn.now.astimezone(turn.zone):%H:%M} there now).")


async def timezone(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    if not args:
        raise BadInput(f"Your time zone is {_zone_name(turn, turn.learner)}. "
                         "To change it: /timezone New York (a city, a US zone like Central, or "
                         "America/Chicago)")
    return await set_timezone(turn, " ".join(args))


async def goal(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    if not args:
        raise BadInput(f"Your goal is {turn.learner.daily_goal} questions a day. "
                         "To change it: /goal 15")
    value = daily_goal(" ".join(args))
    await turn.save_learner(daily_goal=value)
    await note_progress(turn, await answered_today(turn))
    return Outgoing(f"Daily goal set to {value} questions.")


def settings_text(turn: Turn) -> str:
    learner = turn.learner
    exam = countdown(learner.exam_date, turn.today) if learner.exam_date and \
        learner.exam_date >= turn.today else "not set (/examdate YYYY-MM-DD)"
    reminder = f"{learner.remind_at:%H:%M}" if learner.remind_at else "off (/remind HH:MM)"
    return "\n".join((
        "Your settings:",
        f"Exam date: {exam}",
        f"Daily prompt: {reminder}",
        f"Time zone: {_zone_name(turn, learner)}",
        f"Daily goal: {learner.daily_goal} questions (/goal N)",
        settings_line(learner),
    ))


def forget_confirmation() -> Outgoing:
    return Outgoing(
        "This deletes everything stored about you: answers, progress, settings, on every account you "
        "linked with /link. It cannot be undone.",
        (Choice("Yes, delete everything", payloads.encode(payloads.ForgetMe(True))),
         Choice("Cancel", payloads.encode(payloads.ForgetMe(False)))),
        private=True,
    )


async def forget(turn: Turn, confirmed: bool) -> Outgoing:
    if not confirmed:
        return Outgoing("Cancelled. Nothing was deleted.", replace=True, private=True)
    await turn.tx.learners.forget(turn.learner.id)
    return Outgoing("Done: everything stored about you is deleted. /start begins afresh.",
                    replace=True, private=True, forgotten=True)


def _zone_button(option: Any) -> Choice:
    label, zone = zone_option(option)
    return Choice(label, payloads.encode(payloads.ChooseZone(zone)))


def _zone_name(turn: Turn, learner: Learner) -> str:
    return learner.timezone or f"{turn.default_timezone} (default)"
