"""Fixed texts the learner reads: welcome, help and the exam facts behind /about."""

from __future__ import annotations

from bot.domain.exam import (
    ANNUAL_FEE,
    CCP_PER_CYCLE,
    CCP_PER_YEAR,
    CYCLE_YEARS,
    DOMAINS,
    EXAM_FEE,
    EXAM_TIME,
    FORM_QUESTIONS,
    MAX_ATTEMPTS,
    MAX_SITTING_QUESTIONS,
    PASS_MARK,
    RETAKE_WAIT_DAYS,
    SCALE_MAX,
    MockKind,
)
from bot.domain.points import RULES
from bot.domain.questions import Bank
from bot.domain.schedule import STREAK_CHECK
from bot.domain.streaks import FREEZE_EVERY, MAX_FREEZES

STREAK_RULES = (f"Streak: a day counts once you meet your daily goal (your time zone). Every {FREEZE_EVERY} "
                f"streak days earn a freeze (at most {MAX_FREEZES} held) that covers a missed day by "
                f"itself. With /remind on, a nudge at {STREAK_CHECK:%H:%M} if your streak is still "
                "waiting for today.")

WELCOME = (
    "Welcome to CMAS Study Bot!\n"
    "I help you prepare for the CMAS exam (Certified Medical Administrative Specialist, AMT) "
    "a few minutes a day: questions weighted like the real exam, and the ones you miss come back "
    "until they stick.\n\n"
    "Set up in three taps:\n"
    "1. Your time zone (buttons below, or /timezone Area/City)\n"
    "2. A daily reminder time (buttons below, or /remind HH:MM)\n"
    "3. Your exam date: /examdate YYYY-MM-DD\n\n"
    "Or jump straight in with a question."
)

TIMEZONE_PROMPT = "Which time zone are you in? (Others: /timezone Europe/London)"

HELP = "\n".join((
    "Commands:",
    "/quiz [domain] - the next best question (domain 1-8 or a word like billing)",
    "/daily - today's session: due reviews plus new questions up to your goal",
    "/stats - your progress, accuracy per domain, streak and freezes, reviews due, readiness and a chart",
    f"/mock sprint|full - a timed practice exam: {MockKind.SPRINT.description} or "
    f"{MockKind.FULL.description}, no feedback until the end (/mock stop abandons; mock answers "
    "do not change your reviews or points)",
    "/plan - your week-by-week plan to the exam date: focus domains, new questions a day, mocks",
    "/examresult passed|failed [YYYY-MM-DD] - record how the exam went: retake or renewal dates",
    "/examdate YYYY-MM-DD - set your exam date (/examdate clear removes it)",
    "/remind HH:MM - daily study prompt at that local time (/remind off stops it)",
    "/timezone Area/City - your time zone, e.g. America/Chicago",
    "/goal N - questions per day, 1-50",
    "/settings - your current settings",
    "/digest on|off - your week in review every Sunday evening: answers, accuracy, streak, readiness "
    "and your weakest topic to drill",
    "/about - the CMAS exam: format, domains, fees, retakes, renewal",
    "/export [missed|all] - as an Anki package and a CSV file: the questions you missed (answered "
    "wrong at least once, in practice, rounds or mocks; the default) or all you have answered",
    "/link - one learner across Telegram, Discord and the console: shows a code to send as "
    "/link CODE on your other platform within 10 minutes (/unlink detaches an account)",
    "/forgetme - delete everything stored about you (on every linked account)",
    "In a group:",
    "/round [N] - a live round of N questions in a row (default 5, 1-20), each open for the group's "
    "round time, one answer each (/quiz there starts one of 5)",
    "/leaderboard [week|all] - the members ranked by points; weeks start Monday 00:00 in the group's "
    "time zone",
    "/groupsettings - the group's settings (admins change them)",
    "/groupreport [weekly on|off] - admins: the group's week (active members, accuracy by domain, "
    "most-missed questions, who went quiet before an exam), sent privately; weekly: every Monday",
    "",
    "Answer with the A-D buttons, or type the letter in a private chat.",
    RULES,
    STREAK_RULES,
))


def about(bank: Bank) -> str:
    domains = "\n".join(f"{d.number}. {d.name} - {d.weight}%" for d in DOMAINS)
    checked = f", facts checked as of {bank.as_of:%d %B %Y}" if bank.as_of else ""
    hours = int(EXAM_TIME.total_seconds() // 3600)
    return (
        "The CMAS exam (American Medical Technologists)\n"
        f"Format: computer-based, proctored, closed book; {FORM_QUESTIONS} scored multiple-choice questions "
        f"(a sitting may have up to {MAX_SITTING_QUESTIONS}, the extra ones unscored) in {hours} hours.\n"
        f"Passing: a scaled score of {PASS_MARK} on a 0-{SCALE_MAX} scale (not {PASS_MARK}% of raw "
        "answers).\n\n"
        f"Domains and weights:\n{domains}\n\n"
        f"Fee: ${EXAM_FEE}, non-refundable (application, exam and first annual fee).\n"
        f"Retakes: wait {RETAKE_WAIT_DAYS} days after a failed attempt; at most {MAX_ATTEMPTS} attempts in "
        "all.\n"
        f"Renewal: a {CYCLE_YEARS}-year cycle with an annual fee (${ANNUAL_FEE}) and {CCP_PER_YEAR} CCP "
        f"points a year ({CCP_PER_CYCLE} per cycle).\n"
        "Check AMT's current handbook before you book: fees and policies change.\n\n"
        f"This bot's question bank: {len(bank):,} original questions{checked}. Each names its "
        "public source and was checked by a second reader; \"Report a problem\" under an explanation "
        "tells us when one is wrong or out of date."
    )
