"""/groupreport [weekly on|off], for a group's admins. The report names members who went quiet, so
it goes to the admin privately (each adapter delivers `private` replies to the sender alone) and the
group sees one line saying so."""

from __future__ import annotations

from bot.digest.schedule import weekly_at
from bot.errors import BadInput
from bot.groupreport.figures import REPORT_AT, REPORT_DAY
from bot.groupreport.message import report_message
from bot.groupreport.texts import NOT_A_GROUP, NOT_ADMIN, USAGE
from bot.groups.handlers import current_group
from bot.outgoing import Outgoing
from bot.turn import Turn


async def command(turn: Turn, args: tuple[str, ...]) -> list[Outgoing]:
    if not turn.chat.is_group:
        return [Outgoing(NOT_A_GROUP)]
    if not turn.is_admin:
        return [Outgoing(NOT_ADMIN)]
    group = await current_group(turn)
    name = turn.person.display_name
    at = (group.platform, group.chat_id, turn.learner.id)
    match [a.lower() for a in args]:
        case []:
            report = await report_message(turn.tx, turn.bank, group, turn.now, turn.today)
            return [Outgoing(f"{name}: the group report is on its way to you privately."), report]
        case ["weekly", "on"]:
            # The account that runs the group, on its platform: Telegram and Discord both address a
            # private chat by its user's id. (A linked learner's own pushes may go to their other
            # account, whose chat id means nothing on this platform.)
            private_chat = turn.person.user_id
            await turn.tx.groups.subscribe_report(*at, private_chat, turn.now,
                                                  weekly_at(REPORT_DAY, REPORT_AT, turn.zone, turn.now))
            return [Outgoing(f"{name}: the group report will reach you privately every Monday at "
                             f"{REPORT_AT:%H:%M} your time. /groupreport weekly off stops it.",
                             open_private=True)]
        case ["weekly", "off"]:
            stopped = await turn.tx.groups.unsubscribe_report(*at)
            return [Outgoing(f"{name}: weekly group report off." if stopped
                             else f"{name}: you had no weekly report for this group.")]
        case _:
            raise BadInput(USAGE)
