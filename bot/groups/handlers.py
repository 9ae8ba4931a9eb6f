"""Group chats: registration, membership (who the boards rank) and the settings its admins may change."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.models import Group
from bot.domain.schedule import group_schedule, week_start
from bot.errors import BadInput, NeedsChoice
from bot.inputs.clock import clock_time
from bot.inputs.text import whole_number
from bot.inputs.zones import Place, timezone_name, zone_option
from bot.outgoing import Outgoing
from bot.turn import Turn

ROUND_SECONDS = (10, 300)


async def current_group(turn: Turn) -> Group:
    address = turn.chat.address
    group, created = await turn.tx.groups.group(address.platform, address.chat_id, turn.chat.title, turn.now)
    if created:  # every group gets the Monday summary from the start
        following = group_schedule(group, turn.default_timezone, turn.now)
        await turn.tx.pushes.reschedule_group(group, None, following)
    return group


def zone(turn: Turn, group: Group) -> ZoneInfo:
    return ZoneInfo(group.timezone or turn.default_timezone)


async def join(turn: Turn) -> None:
    """Anyone who uses the bot in a group is a member of it; a newcomer's points from earlier this
    week count on the weekly board at once, as they would had they joined on Monday."""
    group = await current_group(turn)
    if (await turn.tx.groups.join_group(group.platform, group.chat_id, turn.learner.id, turn.now)
            and turn.learner.id not in turn.tx.new_learner_ids):  # a new learner has no points yet
        since = week_start(turn.now, zone(turn, group))
        await turn.tx.points.count_member(group.platform, group.chat_id, turn.learner.id, since.date(), since)


async def settings(turn: Turn, args: tuple[str, ...], is_admin: bool) -> Outgoing:
    """`/groupsettings [time HH:MM|off] [round SECONDS] [timezone Area/City]`, admins only."""
    if not turn.chat.is_group:
        return Outgoing("/groupsettings works in a group chat.")
    group = await current_group(turn)
    if args and not is_admin:
        return Outgoing("Only the group's admins can change its settings.")
    if len(args) >= 2:
        group = await _change(turn, group, args[0].lower(), " ".join(args[1:]))
    elif args:
        raise BadInput(_USAGE)
    daily = f"{group.daily_question_at:%H:%M}" if group.daily_question_at else "off"
    return Outgoing("\n".join((
        "Group settings:",
        f"Daily group question: {daily}",
        f"Round length: {group.round_seconds} s per question",
        f"Time zone: {group.timezone or turn.default_timezone + ' (default)'} (weeks start Monday 00:00)",
        _USAGE if is_admin else "",
    )).strip())


_USAGE = ("Change with /groupsettings time 6pm (or off), /groupsettings round 45 (seconds each "
          "round question stays open), /groupsettings timezone Chicago")


def _one_reading(question: NeedsChoice) -> BadInput:
    """Group settings take one typed line from an admin: a second reading is spelled out instead."""
    readings = " or ".join(zone_option(o)[0] if isinstance(o, (str, Place))
                           else f"{o:%H:%M}" for o in question.options)
    return BadInput(f"{question} Send the setting again as one of: {readings}.")


async def _change(turn: Turn, group: Group, key: str, value: str) -> Group:
    if key == "time":
        try:
            at = None if value.lower() == "off" else clock_time(value, "/groupsettings time 18:00")
        except NeedsChoice as question:
            raise _one_reading(question) from None
        changed = await turn.tx.groups.update_group(group, daily_question_at=at)
    elif key == "round":
        low, high = ROUND_SECONDS
        seconds = whole_number(value, low, high,
                               f"Round length is {low}-{high} seconds. Example: /groupsettings round 45")
        return await turn.tx.groups.update_group(group, round_seconds=seconds)
    elif key == "timezone":
        try:
            zone_name = timezone_name(value)
        except NeedsChoice as question:
            raise _one_reading(question) from None
        changed = await turn.tx.groups.update_group(group, timezone=zone_name)
        since = week_start(turn.now, zone(turn, changed))  # the week now starts on another instant
        await turn.tx.points.rebuild_week(changed.platform, changed.chat_id, since.date(), since)
    else:
        raise BadInput(_USAGE)
    await turn.tx.pushes.set_group_schedule(changed, group_schedule(changed, turn.default_timezone, turn.now))
    return changed
