"""The command menu Telegram shows (setMyCommands), per scope: the core's commands, one line each."""

from __future__ import annotations

PRIVATE = (
    ("quiz", "The next best question (add a domain: 1-8 or billing)"),
    ("daily", "Today's session: reviews due plus new questions"),
    ("stats", "Your progress, accuracy by domain, streak"),
    ("mock", "Timed practice exam: sprint (50) or full (200)"),
    ("plan", "Your study plan from today to exam day"),
    ("examdate", "Set your exam date: /examdate 2027-03-15"),
    ("remind", "Daily study prompt: /remind 19:00 or off"),
    ("timezone", "Your time zone: /timezone America/Chicago"),
    ("goal", "Questions per day: /goal 15"),
    ("examresult", "How the exam went: passed or failed"),
    ("settings", "Your settings"),
    ("about", "The CMAS exam: format, domains, fees, retakes"),
    ("forgetme", "Delete everything stored about you"),
    ("start", "Welcome and one-tap setup"),
    ("help", "All commands"),
)

GROUP = (
    ("quiz", "A live round of 5 questions for everyone (add a domain: 1-8)"),
    ("round", "A live round of N questions: /round 10 (1-20)"),
    ("leaderboard", "This group's ranking: week or all"),
    ("groupsettings", "Group question time, round length (admins)"),
    ("stats", "Your progress (sent to you privately)"),
    ("about", "The CMAS exam: format, domains, fees, retakes"),
    ("help", "All commands"),
)

# Bare commands a group may share with other bots: only these get an answer there unless they name us.
KNOWN = frozenset(name for name, _ in PRIVATE + GROUP)
