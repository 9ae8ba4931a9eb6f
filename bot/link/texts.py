"""What /link and /unlink say: every refusal names what to do instead."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.domain.linking import CODE_LENGTH, CODE_TTL, LOCKOUT, MAX_WRONG, platform_name

_MINUTES = int(CODE_TTL.total_seconds() // 60)
_LOCK = f"{int(LOCKOUT.total_seconds() // 3600)} hour"

NOT_A_CODE = (f"That is not a link code: a code has {CODE_LENGTH} letters and digits, like "
              "/link ABCDE-FGHJK. Send /link alone on your other account to get one.")
USED = "This code has already been used. Send /link on your other account for a new one."
EXPIRED = (f"This code has expired: codes last {_MINUTES} minutes. Send /link on your other account "
           "for a new one.")
OWN_CODE = "That code was made by you here. Send it from your account on the other platform."
STALE = "This code's account has been unlinked since. Send /link on your other account for a new one."
UNLINK_CANCELLED = "Cancelled. Your accounts stay linked."
NOT_LINKED = "This account is not linked to another one. /link joins your accounts on two platforms."


def names(platforms: Iterable[str]) -> str:
    return " and ".join(platform_name(p) for p in platforms)


def code_made(code: str, until: datetime) -> str:
    return (f"Your link code: {code}\n"
            f"On the other platform, send /link {code} within {_MINUTES} minutes (until {until:%H:%M}). "
            "It works once.\n"
            "Linking makes both accounts one learner: answers, reviews, mock exams, points and groups "
            "join; the longer streak is kept, and for a question both have, the stronger memory. "
            "Settings (time zone, reminder, goal, exam date) are this account's.")


def wrong_code(wrong: int, locked_until: datetime | None) -> str:
    if locked_until is not None:
        return (f"That code is not right either. After {MAX_WRONG} wrong codes, /link CODE is locked for "
                f"this account for {_LOCK}, until {locked_until:%H:%M}.")
    left = MAX_WRONG - wrong
    return (f"That code is not right. {left} {'try' if left == 1 else 'tries'} left before /link CODE is "
            f"locked for this account for {_LOCK}.")


def locked(until: datetime) -> str:
    return (f"Too many wrong codes: /link CODE is locked for this account until {until:%H:%M}. "
            "Then send a fresh code from your other account.")


def already_linked(others: Iterable[str]) -> str:
    return (f"This account is already linked with your {names(others)} account. Send /unlink here "
            "first, then the code.")


def same_platform(platform: str) -> str:
    name = platform_name(platform)
    return (f"The account that made this code is already linked with a {name} account, and a learner has "
            f"one account per platform. /unlink that {name} account first.")


def linked(here: str, maker: str, pushes_to: str, answers: int, streak_days: int) -> str:
    return (f"Linked: your {platform_name(here)} and {platform_name(maker)} accounts are now one learner, "
            f"with one history ({answers} answers), one streak ({streak_days} "
            f"day{'s' if streak_days != 1 else ''}) and one readiness estimate.\n"
            f"Kept: the settings of your {platform_name(maker)} account (where the code was made), the "
            "longer streak, and for a question both accounts had, the stronger memory.\n"
            f"Daily reminders and countdowns go to {platform_name(pushes_to)} only. Where should they go?")


def pushes_now(platform: str) -> str:
    return f"Daily reminders and countdowns now go to {platform_name(platform)} only."


def no_private_chat(platform: str) -> str:
    return (f"I have no private chat with you on {platform_name(platform)} yet: message me there once, "
            "then choose again.")


def unlink_question(here: str, others: Iterable[str]) -> str:
    rest = names(others)
    return (f"Unlink this {platform_name(here)} account? Your history, streak, points and settings stay "
            f"with your {rest} account. This {platform_name(here)} account starts afresh as a new, "
            "empty learner.")


def unlinked(here: str, others: Iterable[str]) -> str:
    return (f"Unlinked. This {platform_name(here)} account is a new learner now (/start sets it up); your "
            f"history stays with your {names(others)} account.")


def settings_line(platforms: list[str], pushes_to: str) -> str:
    if len(platforms) < 2:
        return f"Accounts: {names(platforms)} only (/link joins your account on another platform)"
    return f"Accounts: {names(platforms)}; reminders go to {platform_name(pushes_to)} only (/unlink)"
