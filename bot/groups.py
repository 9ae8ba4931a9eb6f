"""Group chats: one question for everyone, answered once per member and revealed when time is up;
the group's leaderboard; and the settings its admins may change."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import inputs
from bot.content import Bank, Question
from bot.inputs import InputError
from bot.learning import learn
from bot.models import Group, Prompt, Standing
from bot.outgoing import Outgoing
from bot.render import answer_buttons, question_text
from bot.schedule import group_schedule
from bot.storage.store import Transaction
from bot.turn import Turn

ROUND_SECONDS = (10, 300)
BOARD_SIZE = 10


async def current_group(turn: Turn) -> Group:
    address = turn.chat.address
    group, created = await turn.tx.group(address.platform, address.chat_id, turn.chat.title, turn.now)
    if created:  # every group gets the Monday summary from the start
        await turn.tx.reschedule_group(group, None, group_schedule(group, turn.default_timezone, turn.now))
    return group


def _header(group: Group, answered: int) -> str:
    return f"Group question · everyone answers once · {group.round_seconds} s · {answered} answered"


async def ask(turn: Turn, question: Question, domain: int | None) -> Outgoing:
    group = await current_group(turn)
    address = turn.chat.address
    if await turn.tx.open_group_prompt(address.platform, address.chat_id):
        return Outgoing("A group question is still open: answer it first.")
    prompt = await turn.tx.open_prompt(
        address.platform, address.chat_id, None, question.id, False, domain, turn.now,
        closes_at=turn.now + timedelta(seconds=group.round_seconds),
    )
    return Outgoing(question_text(question, _header(group, 0)), answer_buttons(prompt.id))


async def answer(turn: Turn, prompt: Prompt, question: Question, letter: str) -> list[Outgoing]:
    """One member's answer: acknowledged privately; the shared message shows the running count."""
    if prompt.closes_at is not None and turn.now >= prompt.closes_at:
        return [Outgoing("Time is up for this question; the answer is on its way.", private=True)]
    correct = letter == question.answer
    if not await turn.tx.add_group_answer(prompt.id, turn.learner.id, letter, correct, turn.now):
        return [Outgoing("You have already answered this one.", private=True)]
    earned = await learn(turn, question, correct)
    count = await turn.tx.group_answer_count(prompt.id)
    group = await current_group(turn)
    return [
        Outgoing(f"Correct, +{earned}" if correct else "Not quite", private=True),
        Outgoing(question_text(question, _header(group, count)), answer_buttons(prompt.id),
                 replace=True),
    ]


async def reveal(tx: Transaction, bank: Bank, prompt: Prompt) -> Outgoing | None:
    """The answer, its explanation and who got it right; None if the question left the bank."""
    question = bank.get(prompt.question_id)
    if question is None:
        return None
    results = await tx.group_results(prompt.id)
    right = [name for name, correct in results if correct]
    if not results:
        who = "Nobody answered this time."
    elif right:
        who = f"Right ({len(right)} of {len(results)}): {', '.join(right)}"
    else:
        who = f"Nobody got it this time (0 of {len(results)})."
    return Outgoing("\n".join((
        "Time's up!", question.stem, "",
        f"Answer: {question.answer}. {question.answer_text}", question.explanation, "", who,
    )))


def week_start(now: datetime, zone: ZoneInfo) -> datetime:
    """Monday 00:00 of the current week in the group's time zone, as an aware instant."""
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=zone)


def _board_lines(standings: list[Standing], me: int) -> list[str]:
    lines = [f"{s.rank}. {s.name} - {s.points}" for s in standings[:BOARD_SIZE]]
    mine = next((s for s in standings if s.learner_id == me), None)
    if mine is not None and mine not in standings[:BOARD_SIZE]:
        lines += ["...", f"{mine.rank}. {mine.name} - {mine.points} (you)"]
    return lines


async def leaderboard(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    if not turn.chat.is_group:
        return Outgoing("Leaderboards rank a group's members: add me to your study group's chat "
                        "and send /leaderboard there.")
    period = args[0].lower() if args else "week"
    if period not in {"week", "all"}:
        raise InputError("Choose week or all. Example: /leaderboard all")
    group = await current_group(turn)
    zone = ZoneInfo(group.timezone or turn.default_timezone)
    since = week_start(turn.now, zone) if period == "week" else None
    address = turn.chat.address
    standings = await turn.tx.leaderboard(address.platform, address.chat_id, since)
    title = "This week's leaderboard (since Monday)" if since else "All-time leaderboard"
    if not any(s.points for s in standings):
        return Outgoing(f"{title}: no points yet. Answer a /quiz to get on the board.")
    return Outgoing("\n".join((title, *_board_lines(standings, turn.learner.id))))


async def settings(turn: Turn, args: tuple[str, ...], is_admin: bool) -> Outgoing:
    """`/groupsettings [time HH:MM|off] [round SECONDS] [timezone Area/City]`, admins only."""
    if not turn.chat.is_group:
        return Outgoing("/groupsettings works in a group chat.")
    group = await current_group(turn)
    if args and not is_admin:
        return Outgoing("Only the group's admins can change its settings.")
    if len(args) == 2:
        group = await _change(turn, group, args[0].lower(), args[1])
    elif args:
        raise InputError(_USAGE)
    daily = f"{group.daily_question_at:%H:%M}" if group.daily_question_at else "off"
    return Outgoing("\n".join((
        "Group settings:",
        f"Daily group question: {daily}",
        f"Round length: {group.round_seconds} s",
        f"Time zone: {group.timezone or turn.default_timezone + ' (default)'}",
        _USAGE if is_admin else "",
    )).strip())


_USAGE = ("Change with /groupsettings time 18:00 (or off), /groupsettings round 45, "
          "/groupsettings timezone America/Chicago")


async def _change(turn: Turn, group: Group, key: str, value: str) -> Group:
    if key == "time":
        at = None if value.lower() == "off" else inputs.clock_time(value)
        changed = await turn.tx.update_group(group, daily_question_at=at)
    elif key == "round":
        low, high = ROUND_SECONDS
        if not value.isdigit() or not low <= int(value) <= high:
            raise InputError(f"Round length is {low}-{high} seconds. Example: /groupsettings round 45")
        return await turn.tx.update_group(group, round_seconds=int(value))
    elif key == "timezone":
        changed = await turn.tx.update_group(group, timezone=inputs.timezone_name(value))
    else:
        raise InputError(_USAGE)
    await turn.tx.set_group_schedule(changed, group_schedule(changed, turn.default_timezone, turn.now))
    return changed
