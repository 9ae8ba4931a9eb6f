"""The command menu Telegram shows (setMyCommands), per scope: the core's commands, one line each."""

from __future__ import annotations

from bot.domain.exam import MockKind

PRIVATE = (
    ("quiz", "The next best question (add a domain or topic: 5, hipaa)"),
    ("daily", "Today's session: reviews due plus new questions"),
    ("stats", "Your progress, accuracy by domain, streak"),
    ("mock", f"Timed practice exam: sprint ({MockKind.SPRINT.questions}) or full "
             f"({MockKind.FULL.questions})"),
    ("plan", "Your study plan from today to exam day"),
    ("examdate", "Set your exam date: /examdate Mar 15 2027"),
    ("remind", "Daily study prompt: /remind 7pm or off"),
    ("timezone", "Your time zone: /timezone Chicago"),
    ("goal", "Questions per day: /goal 15"),
    ("examresult", "How the exam went: passed or failed"),
    ("settings", "Your settings"),
    ("digest", "Your week in review every Sunday: /digest on or off"),
    ("about", "The CMAS exam: format, domains, fees, retakes"),
    ("report", "Add a note to the problem you reported"),
    ("export", "Missed questions as Anki cards and CSV (or: all)"),
    ("link", "Join your accounts on two platforms: /link, then /link CODE"),
    ("unlink", "Detach this account from your linked learner"),
    ("forgetme", "Delete everything stored about you"),
    ("start", "Welcome and one-tap setup"),
    ("help", "All commands"),
)

GROUP = (
    ("quiz", "A live round of 5 questions for everyone (add a domain: 1-8)"),
    ("round", "A live round of N questions: /round 10 (1-20)"),
    ("leaderboard", "This group's ranking: week or all"),
    ("groupsettings", "Group question time, round length (admins)"),
    ("groupreport", "The group's week, sent to you privately (admins); weekly on|off"),
    ("about", "The CMAS exam: format, domains, fees, retakes"),
    ("help", "All commands"),
)

# Bare commands a group may share with other bots: only these get an answer there unless they name us.
KNOWN = frozenset(name for name, _ in PRIVATE + GROUP)
