"""Button payloads: one compact, versioned encoding, decoded strictly because presses are untrusted.

Format: `1|<kind>|<fields>`. Every payload fits Telegram's 64-byte callback_data and Discord's
100-character custom_id. A decoded payload is only a claim: handlers still check it against storage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import available_timezones

from bot.domain.models import ReportKind

VERSION = "1"
MAX_BYTES = 64

# Presets offered by /start's one-tap setup. Positions are part of the payload format: append only.
TIMEZONE_PRESETS: tuple[str, ...] = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "UTC",
)


_REPORT_CODES = {ReportKind.WRONG_KEY: "w", ReportKind.UNCLEAR: "u", ReportKind.OUTDATED: "o",
                 ReportKind.TYPO: "t"}
_REPORT_KINDS = {code: kind for kind, code in _REPORT_CODES.items()}


class BadPayload(ValueError):
    """The payload is not one this version of the bot could have produced."""


@dataclass(frozen=True, slots=True)
class Answer:
    prompt_id: int
    letter: str


@dataclass(frozen=True, slots=True)
class Next:
    daily: bool
    domain: int | None = None
    topic: str | None = None  # the learner's topic word (bot.domain.domains.Scope)


@dataclass(frozen=True, slots=True)
class ForgetMe:
    confirmed: bool


@dataclass(frozen=True, slots=True)
class SetTimezone:
    zone: str


@dataclass(frozen=True, slots=True)
class ChooseZone:
    """A time zone the learner confirms after an abbreviation or an ambiguous city."""

    zone: str


@dataclass(frozen=True, slots=True)
class SetExamDate:
    """One reading of a date that could be read two ways."""

    day: date


@dataclass(frozen=True, slots=True)
class Report:
    """Report a problem with a question version; `kind` None asks which problem."""

    question_id: str
    version: int
    kind: ReportKind | None = None


@dataclass(frozen=True, slots=True)
class SetReminder:
    hhmm: str


@dataclass(frozen=True, slots=True)
class ExamResult:
    """The learner's answer to "How did it go?" the day after their exam, or one reading of a date
    they typed with /examresult."""

    passed: bool
    day: date | None = None


@dataclass(frozen=True, slots=True)
class MockStart:
    full: bool  # False: a sprint


@dataclass(frozen=True, slots=True)
class MockAnswer:
    mock_id: int
    position: int  # which question of the mock (0-based), so a stale press is told apart
    letter: str


@dataclass(frozen=True, slots=True)
class MockReview:
    """Show the `index`-th missed question of a finished mock, with its explanation."""

    mock_id: int
    index: int


@dataclass(frozen=True, slots=True)
class PushTo:
    """Send a linked learner's reminders and countdowns to their account on this platform only."""

    platform: str


@dataclass(frozen=True, slots=True)
class Unlink:
    confirmed: bool


Payload = (Answer | Next | ForgetMe | SetTimezone | ChooseZone | SetExamDate | SetReminder | ExamResult
           | MockStart | MockAnswer | MockReview | Report | PushTo | Unlink)


def encode(payload: Payload) -> str:
    match payload:
        case Answer(prompt_id, letter):
            body = f"a|{prompt_id}|{letter}"
        case Next(daily=True):
            body = "n|d"
        case Next(daily=False, topic=str(word)):
            body = f"n|t|{word}"
        case Next(daily=False, domain=domain):
            body = f"n|q|{domain or 0}"
        case ForgetMe(confirmed):
            body = f"f|{'y' if confirmed else 'n'}"
        case SetTimezone(zone):
            body = f"z|{TIMEZONE_PRESETS.index(zone)}"
        case SetReminder(hhmm):
            body = f"r|{hhmm.replace(':', '')}"
        case ExamResult(passed, day):
            body = f"x|{'p' if passed else 'f'}" + (f"|{day:%Y%m%d}" if day else "")
        case ChooseZone(zone):
            body = f"Z|{zone}"
        case SetExamDate(day):
            body = f"e|{day:%Y%m%d}"
        case MockStart(full):
            body = f"k|{'f' if full else 's'}"
        case MockAnswer(mock_id, position, letter):
            body = f"m|{mock_id}|{position}|{letter}"
        case MockReview(mock_id, index):
            body = f"v|{mock_id}|{index}"
        case Report(question_id, version, None):
            body = f"p|{question_id}|{version}"
        case Report(question_id, version, ReportKind() as kind):
            body = f"p|{question_id}|{version}|{_REPORT_CODES[kind]}"
        case PushTo(platform):
            body = f"L|{platform}"
        case Unlink(confirmed):
            body = f"U|{'y' if confirmed else 'n'}"
    data = f"{VERSION}|{body}"
    assert len(data.encode()) <= MAX_BYTES, data
    return data


_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"1\|a\|([1-9]\d{0,17})\|([ABCD])", re.ASCII), "answer"),
    (re.compile(r"1\|n\|d", re.ASCII), "daily"),
    (re.compile(r"1\|n\|q\|([0-8])", re.ASCII), "quiz"),
    (re.compile(r"1\|n\|t\|([a-z][a-z ]{2,31})", re.ASCII), "topic"),
    (re.compile(r"1\|f\|([yn])", re.ASCII), "forget"),
    (re.compile(r"1\|z\|(\d)", re.ASCII), "zone"),
    (re.compile(r"1\|r\|([01]\d|2[0-3])([0-5]\d)", re.ASCII), "remind"),
    (re.compile(r"1\|x\|([pf])(?:\|(\d{8}))?", re.ASCII), "result"),
    (re.compile(r"1\|Z\|([A-Za-z][A-Za-z0-9_+/-]{0,40})", re.ASCII), "choose zone"),
    (re.compile(r"1\|e\|(\d{8})", re.ASCII), "exam date"),
    (re.compile(r"1\|k\|([sf])", re.ASCII), "mock"),
    (re.compile(r"1\|m\|([1-9]\d{0,17})\|(0|[1-9]\d{0,2})\|([ABCD])", re.ASCII), "mock answer"),
    (re.compile(r"1\|v\|([1-9]\d{0,17})\|(0|[1-9]\d{0,2})", re.ASCII), "mock review"),
    (re.compile(r"1\|p\|(d[1-8]-\d{4})\|([1-9]\d{0,2})(?:\|([wuot]))?", re.ASCII), "report"),
    (re.compile(r"1\|L\|([a-z]{1,16})", re.ASCII), "push to"),
    (re.compile(r"1\|U\|([yn])", re.ASCII), "unlink"),
)


def _day(digits: str) -> date:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise BadPayload("not a calendar date") from None


def decode(data: str) -> Payload:
    """Parses a payload, raising BadPayload for anything malformed, unknown or from another version."""
    if len(data.encode()) > MAX_BYTES:
        raise BadPayload("too long")
    for pattern, kind in _PATTERNS:
        m = pattern.fullmatch(data)
        if not m:
            continue
        if kind == "answer":
            return Answer(int(m.group(1)), m.group(2))
        if kind == "daily":
            return Next(daily=True)
        if kind == "quiz":
            return Next(daily=False, domain=int(m.group(1)) or None)
        if kind == "topic":
            return Next(daily=False, topic=m.group(1))
        if kind == "forget":
            return ForgetMe(m.group(1) == "y")
        if kind == "zone":
            index = int(m.group(1))
            if index >= len(TIMEZONE_PRESETS):
                raise BadPayload("unknown time zone preset")
            return SetTimezone(TIMEZONE_PRESETS[index])
        if kind == "remind":
            return SetReminder(f"{m.group(1)}:{m.group(2)}")
        if kind == "result":
            return ExamResult(m.group(1) == "p", _day(m.group(2)) if m.group(2) else None)
        if kind == "choose zone":
            if m.group(1) not in available_timezones():
                raise BadPayload("unknown time zone")
            return ChooseZone(m.group(1))
        if kind == "exam date":
            return SetExamDate(_day(m.group(1)))
        if kind == "mock":
            return MockStart(full=m.group(1) == "f")
        if kind == "mock answer":
            return MockAnswer(int(m.group(1)), int(m.group(2)), m.group(3))
        if kind == "report":
            code = m.group(3)
            return Report(m.group(1), int(m.group(2)), _REPORT_KINDS[code] if code else None)
        if kind == "push to":
            return PushTo(m.group(1))
        if kind == "unlink":
            return Unlink(m.group(1) == "y")
        return MockReview(int(m.group(1)), int(m.group(2)))
    raise BadPayload("unrecognised")
