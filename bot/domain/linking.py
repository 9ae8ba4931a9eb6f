"""One learner across platforms: link codes, guessing limits, and which side wins when two learners
become one. Pure: storage moves the rows (bot.storage.linking), these rules decide what survives.

A code is shown once to the account that makes it (the maker) and typed on the other platform by
the account that joins. The maker's learner survives; the joiner's history moves into it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain.models import CardState, Learner, Streak
from bot.domain.streaks import as_of

# No 0/O or 1/I: a code read off a phone and typed into a laptop cannot be misread.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# 32^10 = 2^50 codes: 5 tries hit one with odds of about 1 in 2 * 10^14, and even a reader of the
# stored SHA-256 needs GPU-hours to recover a code that lives 10 minutes (2^40 took minutes).
CODE_LENGTH = 10
CODE_TTL = timedelta(minutes=10)
MAX_WRONG = 5  # wrong codes an account may send before /link CODE is locked for it
LOCKOUT = timedelta(hours=1)

PLATFORM_NAMES = {"telegram": "Telegram", "discord": "Discord", "console": "console"}


@dataclass(frozen=True, slots=True)
class Identity:
    """One account on one platform, and the learner it belongs to."""

    platform: str
    user_id: str
    learner_id: int
    private_chat_id: str | None  # where pushes reach this account; None until it writes privately
    unreachable: bool
    linked_at: datetime


@dataclass(frozen=True, slots=True)
class LinkCode:
    """An issued code, known only by its hash; `platform`/`user_id` is the account that made it."""

    learner_id: int
    platform: str
    user_id: str
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True, slots=True)
class Guesses:
    """Wrong codes one account has sent, and until when /link CODE is locked for it."""

    wrong: int = 0
    locked_until: datetime | None = None


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform.capitalize())


def new_code() -> str:
    """A fresh code from the operating system's randomness (never a seeded generator)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def shown(code: str) -> str:
    """ABCDE-FGHJK: two halves are easier to copy than ten characters in a row."""
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def read_code(text: str) -> str | None:
    """The code in what was typed (any case, spaces or dashes anywhere), or None if it cannot be one."""
    code = "".join(ch for ch in text.upper() if ch not in " -")
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def code_hash(code: str) -> str:
    """What is stored instead of the code, so reading the database does not give a usable code."""
    return hashlib.sha256(code.encode()).hexdigest()


def standing(guesses: Guesses, now: datetime) -> Guesses:
    """The count as it stands now: a lock that has run out starts the count again."""
    if guesses.locked_until is not None and guesses.locked_until <= now:
        return Guesses()
    return guesses


def after_wrong(guesses: Guesses, now: datetime) -> Guesses:
    """One more wrong code; the MAX_WRONG-th locks the account out for LOCKOUT."""
    wrong = standing(guesses, now).wrong + 1
    return Guesses(wrong, now + LOCKOUT if wrong >= MAX_WRONG else None)


def stronger(a: CardState, b: CardState) -> CardState:
    """The card that remembers the question better: higher FSRS stability (days for recall to fall
    to 90 %), then the more recent review. A card never reviewed has no stability and loses."""
    def strength(card: CardState) -> tuple[float, datetime]:
        return (card.stability or 0.0, card.last_review or datetime.min.replace(tzinfo=card.due.tzinfo))
    return b if strength(b) > strength(a) else a


def cards_to_take(kept: Iterable[CardState], joining: Iterable[CardState]) -> set[str]:
    """Questions whose joining card survives: the kept learner has none, or a weaker one."""
    mine = {card.question_id: card for card in kept}
    return {card.question_id for card in joining
            if card.question_id not in mine or stronger(mine[card.question_id], card) is card}


def longer_streak(a: Streak, b: Streak, today: date) -> Streak:
    """The streak that runs longer today (a broken one counts as 0), with its own freezes."""
    a_now, b_now = as_of(a, today), as_of(b, today)
    return b_now if (b_now.days, b_now.freezes) > (a_now.days, a_now.freezes) else a_now


def merged_settings(maker: Learner, joiner: Learner, today: date) -> dict[str, Any]:
    """The changes to the maker's learner once the joiner's is folded in: the maker's settings win,
    the joiner's fill what the maker never set (the weekly digest is off until asked for, so either
    account's asking turns it on); the longer streak; the latest certification. The last readiness
    shown is dropped: the merged evidence gives a new estimate, not a change."""
    changes: dict[str, Any] = {
        field: getattr(joiner, field) for field in ("timezone", "remind_at", "exam_date")
        if getattr(maker, field) is None and getattr(joiner, field) is not None
    }
    if joiner.digest and not maker.digest:
        changes["digest"] = True
    streak = longer_streak(maker.streak, joiner.streak, today)
    if streak != maker.streak:
        changes["streak"] = streak
    passes = [d for d in (maker.certified_on, joiner.certified_on) if d is not None]
    if passes and max(passes) != maker.certified_on:
        changes["certified_on"] = max(passes)
    if maker.last_readiness is not None:
        changes["last_readiness"] = None
    return changes
