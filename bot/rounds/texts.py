"""What group questions say: headers with the running count, the answer's acknowledgement, the
reveal, and a round's running top 5 and final board."""

from __future__ import annotations

from bot.domain.models import Round, Standing
from bot.domain.points import FIRST_CORRECT, REVIEW_CORRECT
from bot.domain.questions import Question
from bot.outgoing import Outgoing
from bot.reports.handlers import report_button

RUNNING_TOP = 5
FINAL_TOP = 10


def round_header(round_: Round, position: int, answered: int) -> str:
    return (f"Round · question {position}/{round_.total} · everyone answers once · {round_.seconds} s · "
            f"{answered} answered")


def group_header(answered: int) -> str:
    return f"Group question · everyone answers once · {answered} answered"


def acknowledgement(correct: bool, earned: int, speed: int, streak: int) -> str:
    """Private to the member. The bonuses are itemised only when they were paid in full (not cut
    by the daily cap or a same-day repeat)."""
    if not correct:
        return "Not quite"
    if not speed or earned - speed - streak not in (FIRST_CORRECT, REVIEW_CORRECT):
        return f"Correct, +{earned}"
    return f"Correct, +{earned} (speed +{speed}" + (f", streak +{streak})" if streak else ")")


def reveal(question: Question, results: list[tuple[str, bool]]) -> Outgoing:
    """The answer, its explanation and who got it right."""
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
    )), (report_button(question),))


def board_lines(standings: list[Standing]) -> list[str]:
    return [f"{s.rank}. {s.name} - {s.points}" for s in standings]


def running_board(standings: list[Standing], position: int, total: int) -> Outgoing:
    if not any(s.points for s in standings):
        return Outgoing(f"After question {position}/{total}: no points yet. Next question:")
    return Outgoing("\n".join((f"Top {RUNNING_TOP} after question {position}/{total}:",
                               *board_lines(standings[:RUNNING_TOP]))))


def final_board(standings: list[Standing], asked: int, total: int) -> Outgoing:
    """After the last question, or earlier when the round stalled (`asked` < `total`)."""
    count = (f"{asked} question{'s' if asked != 1 else ''}" if asked == total
             else f"{asked} of {total} questions")
    if not any(s.points for s in standings):
        return Outgoing(f"Round over ({count}): nobody scored. /round for another.")
    more = len(standings) - FINAL_TOP
    return Outgoing("\n".join((
        f"Round over! Final board ({count}):",
        *board_lines(standings[:FINAL_TOP]),
        *([f"...and {more} more"] if more > 0 else []),
        "These points count on the /leaderboard too. /round for another.",
    )))
