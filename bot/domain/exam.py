"""The CMAS exam as AMT defines it (shared/cmas-exam.md): the one place each exam fact is written.

Every text, menu, chart and rule that names a number of the exam reads it from here, so changing
the pass mark or a fee is a one-line change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Domain:
    number: int
    name: str
    short: str
    weight: int  # percent of the blueprint questions
    keywords: tuple[str, ...]  # words learners use for it in commands


DOMAINS: tuple[Domain, ...] = (
    Domain(1, "Medical Assisting Foundations", "Foundations", 13,
           ("foundations", "terminology", "law", "legal", "ethics", "hipaa")),
    Domain(2, "Basic Clinical Concepts", "Clinical", 7,
           ("clinical", "vitals", "infection", "safety", "osha")),
    Domain(3, "Medical Office Clerical Assisting", "Clerical", 10,
           ("clerical", "scheduling", "reception", "phone", "mail")),
    Domain(4, "Medical Records Management", "Records", 17,
           ("records", "charting", "filing", "ehr")),
    Domain(5, "Health Care Insurance Processing, Coding, and Billing", "Insurance & coding", 17,
           ("insurance", "coding", "billing", "claims", "codes")),
    Domain(6, "Medical Office Financial Management", "Finance", 17,
           ("finance", "financial", "accounts", "payroll", "banking", "collections")),
    Domain(7, "Medical Office Information Processing", "Information processing", 7,
           ("information", "computers", "computer", "it", "software", "security")),
    Domain(8, "Medical Office Management", "Management", 12,
           ("management", "hr", "supervision", "office", "risk")),
)
BY_NUMBER: dict[int, Domain] = {d.number: d for d in DOMAINS}

# The form and its clock.
FORM_QUESTIONS = 200  # scored blueprint questions on a real form
MAX_SITTING_QUESTIONS = 230  # a sitting may add unscored pretest items
EXAM_TIME = timedelta(hours=2)
SECONDS_PER_QUESTION = int(EXAM_TIME.total_seconds()) // FORM_QUESTIONS  # 36: the real pace

# Passing: a scaled score of PASS_MARK on a 0-100 scale. The bot reads it as PASS_MARK % correct, an
# assumption every estimate says aloud.
PASS_MARK = 70
SCALE_MAX = 100

# Money, retakes and renewal.
EXAM_FEE = 125
RETAKE_WAIT_DAYS = 45
MAX_ATTEMPTS = 4
CYCLE_YEARS = 3
ANNUAL_FEE = 75
CCP_PER_YEAR = 10
CCP_PER_CYCLE = CCP_PER_YEAR * CYCLE_YEARS


class MockKind(StrEnum):
    """The bot's timed practice exams: a sprint, or a whole form at the real pace."""

    SPRINT = "sprint"
    FULL = "full"

    @property
    def questions(self) -> int:
        return MOCK_QUESTIONS[self]

    @property
    def minutes(self) -> int:
        return self.questions * SECONDS_PER_QUESTION // 60

    @property
    def description(self) -> str:
        """`50 questions in 30 minutes`: the words every menu and help text uses."""
        return f"{self.questions} questions in {self.minutes} minutes"


MOCK_QUESTIONS: dict[MockKind, int] = {MockKind.SPRINT: 50, MockKind.FULL: FORM_QUESTIONS}


def passes(correct: int, total: int) -> bool:
    """Whether `correct` of `total` reaches the pass mark read as a share of right answers."""
    return SCALE_MAX * correct >= PASS_MARK * total


PASS_CAVEAT = (f"AMT reports a scaled score, not a raw percentage: this estimate reads {PASS_MARK}% "
               "correct as the pass mark, so treat it as a guide.")
