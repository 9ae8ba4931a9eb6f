"""/link, /link CODE and /unlink: one learner across platforms.

The account that sends /link (the maker) gets a one-time code; the account that sends /link CODE on
another platform (the joiner) is folded into the maker's learner in the event's one transaction. A
wrong code is counted against the account that sent it and committed (so it is returned, never
raised); every other refusal raises and changes nothing.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import payloads
from bot.digest.schedule import next_digest_at
from bot.domain.figures import overall
from bot.domain.linking import (
    CODE_TTL,
    Guesses,
    Identity,
    after_wrong,
    cards_to_take,
    code_hash,
    merged_settings,
    new_code,
    platform_name,
    read_code,
    shown,
    standing,
)
from bot.domain.models import Learner, MockOutcome
from bot.domain.schedule import learner_schedule, week_start
from bot.domain.streaks import as_of
from bot.errors import BadInput, Closed
from bot.link import texts
from bot.outgoing import Choice, Outgoing
from bot.turn import Turn


async def command(turn: Turn, args: tuple[str, ...]) -> Outgoing:
    return await join(turn, " ".join(args)) if args else await make_code(turn)


async def make_code(turn: Turn) -> Outgoing:
    """A fresh code for this account (an earlier unused one stops working)."""
    code = new_code()
    expires = turn.now + CODE_TTL
    await turn.tx.link.issue_code(code_hash(code), await _me(turn), turn.now, expires)
    return Outgoing(texts.code_made(shown(code), expires.astimezone(turn.zone)), private=True)


async def join(turn: Turn, typed: str) -> Outgoing:
    code = read_code(typed)
    if code is None:
        raise BadInput(texts.NOT_A_CODE)
    link, person = turn.tx.link, turn.person
    guesses = standing(await link.guesses(person.platform, person.user_id), turn.now)
    if guesses.locked_until is not None:
        raise Closed(texts.locked(guesses.locked_until.astimezone(turn.zone)))
    found = await link.find_code(code_hash(code))
    if found is None:  # counted, and committed: the reply is returned, not raised
        guesses = after_wrong(guesses, turn.now)
        await link.set_guesses(person.platform, person.user_id, guesses)
        until = guesses.locked_until and guesses.locked_until.astimezone(turn.zone)
        return Outgoing(texts.wrong_code(guesses.wrong, until), private=True)
    if found.used_at is not None:
        raise Closed(texts.USED)
    if found.expires_at <= turn.now:
        raise Closed(texts.EXPIRED)
    if found.learner_id == turn.learner.id:
        raise BadInput(texts.OWN_CODE)
    mine = await link.identities(turn.learner.id)
    if len(mine) > 1:
        raise Closed(texts.already_linked(i.platform for i in mine if i.platform != person.platform))
    if any(i.platform == person.platform for i in await link.identities(found.learner_id)):
        raise Closed(texts.same_platform(person.platform))
    maker = await turn.tx.learners.find_learner(found.platform, found.user_id)
    if maker is None or maker.id != found.learner_id:
        raise Closed(texts.STALE)
    if not await link.use_code(code_hash(code), turn.now):
        raise Closed(texts.USED)
    learner = await _fold_in(turn, maker)
    await link.set_guesses(person.platform, person.user_id, Guesses())
    answered = overall(await turn.tx.answers.domain_records(learner.id)).answered
    streak = as_of(learner.streak, turn.now.astimezone(turn.zone).date())
    accounts = sorted(await link.identities(learner.id), key=lambda i: i.platform != learner.platform)
    choices = tuple(Choice(f"Reminders on {platform_name(i.platform)}",
                           payloads.encode(payloads.PushTo(i.platform))) for i in accounts)
    return Outgoing(texts.linked(person.platform, found.platform, learner.platform, answered, streak.days),
                    choices, private=True)


async def _fold_in(turn: Turn, maker: Learner) -> Learner:
    """Merges this event's learner into the maker's, by the rules of bot.domain.linking; the turn
    goes on as the merged learner."""
    tx, joiner = turn.tx, turn.learner
    running, theirs = await tx.mocks.running_mock(joiner.id), await tx.mocks.running_mock(maker.id)
    if running is not None and theirs is not None:  # one running mock per learner: the maker's goes on
        await tx.mocks.finish_mock(running.id, MockOutcome.STOPPED, None, turn.now)
    take = cards_to_take(await tx.answers.cards(maker.id), await tx.answers.cards(joiner.id))
    zone = ZoneInfo(maker.timezone or turn.default_timezone)
    changes = merged_settings(maker, joiner, turn.now.astimezone(zone).date())
    await tx.link.merge(maker.id, joiner.id, take, turn.now)
    learner = await tx.learners.update_learner(maker, **changes) if changes else maker
    await tx.pushes.set_next_push(learner.id, learner_schedule(learner, turn.default_timezone, turn.now))
    if changes.get("digest"):  # the joiner's next digest went with its row
        zone = ZoneInfo(learner.timezone or turn.default_timezone)
        await tx.pushes.set_next_digest(learner.id, next_digest_at(zone, turn.now))
    turn.learner = learner
    for group in await tx.groups.learner_groups(learner.id):  # this week's boards count both
        since = week_start(turn.now, ZoneInfo(group.timezone or turn.default_timezone))
        await tx.points.rebuild_week(group.platform, group.chat_id, since.date(), since, learner.id)
    return learner


async def push_to(turn: Turn, platform: str) -> Outgoing:
    """The learner's choice of the one account that gets their pushes."""
    target = next((i for i in await turn.tx.link.identities(turn.learner.id) if i.platform == platform), None)
    if target is None:
        raise Closed(f"You have no linked {platform_name(platform)} account any more. /settings shows "
                     "where reminders go.")
    if target.private_chat_id is None:
        raise BadInput(texts.no_private_chat(platform))
    await turn.tx.link.push_to(target)
    return Outgoing(texts.pushes_now(platform), replace=True, private=True)


async def unlink(turn: Turn, _args: tuple[str, ...]) -> Outgoing:
    """Asks first, saying what stays where."""
    accounts = await turn.tx.link.identities(turn.learner.id)
    if len(accounts) < 2:
        raise BadInput(texts.NOT_LINKED)
    here = turn.person.platform
    return Outgoing(texts.unlink_question(here, (i.platform for i in accounts if i.platform != here)),
                    (Choice("Yes, unlink", payloads.encode(payloads.Unlink(True))),
                     Choice("Cancel", payloads.encode(payloads.Unlink(False)))), private=True)


async def confirm_unlink(turn: Turn, confirmed: bool) -> Outgoing:
    if not confirmed:
        return Outgoing(texts.UNLINK_CANCELLED, replace=True, private=True)
    accounts = await turn.tx.link.identities(turn.learner.id)
    if len(accounts) < 2:
        raise Closed(texts.NOT_LINKED)
    me = await _me(turn)
    await turn.tx.link.detach(me, turn.person.display_name, turn.now)
    others = (i.platform for i in accounts if i.platform != me.platform)
    return Outgoing(texts.unlinked(me.platform, others), replace=True, private=True)


async def settings_line(turn: Turn) -> str:
    """/settings' line: the linked accounts (the one getting the pushes first) and which that is."""
    pushes_to = turn.learner.platform
    accounts = sorted(await turn.tx.link.identities(turn.learner.id), key=lambda i: i.platform != pushes_to)
    return texts.settings_line([i.platform for i in accounts], pushes_to)


async def _me(turn: Turn) -> Identity:
    """The identity of the account that sent this event."""
    account = (turn.person.platform, turn.person.user_id)
    return next(i for i in await turn.tx.link.identities(turn.learner.id)
                if (i.platform, i.user_id) == account)
