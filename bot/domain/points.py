"""Points: every answer anywhere earns some, so a group's board rewards studying, not only rounds.

Rules (also in /help and the README): a correct first answer 10, a correct review 5, a wrong answer 1
for the effort; the same question again on the same day earns nothing; at most DAILY_CAP a day. In a
live group round a correct answer also earns a speed bonus and an answer-streak bonus, inside the same
cap and repeat rule, so rounds are lively but no way round the cap.
"""

from __future__ import annotations

import math
from datetime import timedelta
from fractions import Fraction

FIRST_CORRECT = 10
REVIEW_CORRECT = 5
WRONG = 1
DAILY_CAP = 200
SPEED_BONUS = 10  # a correct round answer at once; half of it at the time limit (Kahoot's curve)
STREAK_STEP = 2  # for each correct round answer in a row before this one
STREAK_MAX = 10


def points_for(*, correct: bool, is_review: bool, repeated_today: bool, earned_today: int,
               bonus: int = 0) -> int:
    if repeated_today:
        return 0
    base = (REVIEW_CORRECT if is_review else FIRST_CORRECT) + bonus if correct else WRONG
    return max(0, min(base, DAILY_CAP - earned_today))


def speed_bonus(elapsed: timedelta, limit: timedelta) -> int:
    """SPEED_BONUS at 0 s falling linearly to half of it at `limit`, rounded half up. Exact
    arithmetic, so the same answer time always earns the same bonus."""
    share = min(max(Fraction(elapsed // timedelta.resolution, limit // timedelta.resolution), Fraction(0)),
                Fraction(1))
    return math.floor(SPEED_BONUS * (1 - share / 2) + Fraction(1, 2))


def streak_bonus(run: int) -> int:
    """The bonus for the `run`-th correct round answer in a row (the first earns none)."""
    return min(STREAK_STEP * max(run - 1, 0), STREAK_MAX)


RULES = (f"Points: {FIRST_CORRECT} for a correct new question, {REVIEW_CORRECT} for a correct review, "
         f"{WRONG} for a wrong answer; nothing for the same question twice in a day; "
         f"at most {DAILY_CAP} a day. In a group round a correct answer adds a speed bonus "
         f"({SPEED_BONUS} at once, {SPEED_BONUS // 2} at the time limit) and a streak bonus "
         f"(+{STREAK_STEP} for each correct answer in a row before it, up to +{STREAK_MAX}).")
