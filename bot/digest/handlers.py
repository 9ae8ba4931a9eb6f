"""/digest on|off: the weekly digest, opt-in, in the learner's private chat."""

from __future__ import annotations

from bot.digest.schedule import next_digest_at
from bot.digest.texts import USAGE, settings_line, turned_on
from bot.errors import BadInput
from bot.outgoing import Outgoing
from bot.turn import Turn


async def command(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    match [a.lower() for a in args]:
        case []:
            return Outgoing(f"{settings_line(turn.learner)}\n{USAGE}", private=True)
        case ["on"]:
            first = next_digest_at(turn.zone, turn.now)
            turn.learner = await turn.tx.learners.update_learner(turn.learner, digest=True)
            await turn.tx.pushes.set_next_digest(turn.learner.id, first)
            return Outgoing(turned_on(first.astimezone(turn.zone), turn.zone.key), private=True)
        case ["off"]:
            turn.learner = await turn.tx.learners.update_learner(turn.learner, digest=False)
            await turn.tx.pushes.set_next_digest(turn.learner.id, None)
            return Outgoing("Weekly digest off. /digest on brings it back.", private=True)
        case _:
            raise BadInput(USAGE)
