"""Points: every answer anywhere earns some, so a group's board rewards studying, not only rounds.

Rules (also in /help and the README): a correct first answer 10, a correct review 5, a wrong answer 1
for the effort; the same question again on the same day earns nothing; at most DAILY_CAP a day.
"""

from __future__ import annotations

FIRST_CORRECT = 10
REVIEW_CORRECT = 5
WRONG = 1
DAILY_CAP = 200


def points_for(*, correct: bool, is_review: bool, repeated_today: bool, earned_today: int) -> int:
    if repeated_today:
        return 0
    base = (REVIEW_CORRECT if is_review else FIRST_CORRECT) if correct else WRONG
    return max(0, min(base, DAILY_CAP - earned_today))


RULES = (f"Points: {FIRST_CORRECT} for a correct new question, {REVIEW_CORRECT} for a correct review, "
         f"{WRONG} for a wrong answer; nothing for the same question twice in a day; "
         f"at most {DAILY_CAP} a day.")
