"""/leaderboard: a group's members ranked by points this week (from Monday 00:00 in the group's
zone) or of all time, with the asker's own rank when they are outside the top."""

from __future__ import annotations

from bot.domain.models import Standing
from bot.domain.schedule import week_start
from bot.errors import BadInput
from bot.groups.handlers import current_group, zone
from bot.outgoing import Outgoing
from bot.rounds.texts import board_lines
from bot.turn import Turn

BOARD_SIZE = 10


def _lines(standings: list[Standing], me: int) -> list[str]:
    """The top BOARD_SIZE, then the asker's line if they rank lower (the store returns it last)."""
    lines = board_lines(standings[:BOARD_SIZE])
    mine = board_lines([s for s in standings[BOARD_SIZE:] if s.learner_id == me])
    return [*lines, "...", f"{mine[0]} (you)"] if mine else lines


async def command(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    if not turn.chat.is_group:
        return Outgoing("Leaderboards rank a group's members: add me to your study group's chat "
                        "and send /leaderboard there.")
    period = args[0].lower() if args else "week"
    if period not in {"week", "all"}:
        raise BadInput("Choose week or all. Example: /leaderboard all")
    group = await current_group(turn)
    week = week_start(turn.now, zone(turn, group)).date() if period == "week" else None
    standings = await turn.tx.points.leaderboard(group.platform, group.chat_id, week, me=turn.learner.id,
                                          top=BOARD_SIZE)
    title = "This week's leaderboard (since Monday)" if week else "All-time leaderboard"
    if not any(s.points for s in standings):
        return Outgoing(f"{title}: no points yet. Answer a /quiz to get on the board.")
    return Outgoing("\n".join((title, *_lines(standings, turn.learner.id))))
