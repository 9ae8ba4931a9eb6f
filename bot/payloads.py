"""Button payloads: one compact, versioned encoding, decoded strictly because presses are untrusted.

Format: `1|<kind>|<fields>`. Every payload fits Telegram's 64-byte callback_data and Discord's
100-character custom_id. A decoded payload is only a claim: handlers still check it against storage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "1"
MAX_BYTES = 64

# Presets offered by /start's one-tap setup. Positions are part of the payload format: append only.
TIMEZONE_PRESETS: tuple[str, ...] = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "UTC",
)


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


@dataclass(frozen=True, slots=True)
class ForgetMe:
    confirmed: bool


@dataclass(frozen=True, slots=True)
class SetTimezone:
    zone: str


@dataclass(frozen=True, slots=True)
class SetReminder:
    hhmm: str


@dataclass(frozen=True, slots=True)
class ExamResult:
    """The learner's answer to "How did it go?" the day after their exam."""

    passed: bool


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


Payload = (Answer | Next | ForgetMe | SetTimezone | SetReminder | ExamResult | MockStart | MockAnswer
           | MockReview)


def encode(payload: Payload) -> str:
    match payload:
        case Answer(prompt_id, letter):
            body = f"a|{prompt_id}|{letter}"
        case Next(daily=True):
            body = "n|d"
        case Next(daily=False, domain=domain):
            body = f"n|q|{domain or 0}"
        case ForgetMe(confirmed):
            body = f"f|{'y' if confirmed else 'n'}"
        case SetTimezone(zone):
            body = f"z|{TIMEZONE_PRESETS.index(zone)}"
        case SetReminder(hhmm):
            body = f"r|{hhmm.replace(':', '')}"
        case ExamResult(passed):
            body = f"x|{'p' if passed else 'f'}"
        case MockStart(full):
            body = f"k|{'f' if full else 's'}"
        case MockAnswer(mock_id, position, letter):
            body = f"m|{mock_id}|{position}|{letter}"
        case MockReview(mock_id, index):
            body = f"v|{mock_id}|{index}"
    data = f"{VERSION}|{body}"
    assert len(data.encode()) <= MAX_BYTES, data
    return data


_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"1\|a\|([1-9]\d{0,17})\|([ABCD])"), "answer"),
    (re.compile(r"1\|n\|d"), "daily"),
    (re.compile(r"1\|n\|q\|([0-8])"), "quiz"),
    (re.compile(r"1\|f\|([yn])"), "forget"),
    (re.compile(r"1\|z\|(\d)"), "zone"),
    (re.compile(r"1\|r\|([01]\d|2[0-3])([0-5]\d)"), "remind"),
    (re.compile(r"1\|x\|([pf])"), "result"),
    (re.compile(r"1\|k\|([sf])"), "mock"),
    (re.compile(r"1\|m\|([1-9]\d{0,17})\|(0|[1-9]\d{0,2})\|([ABCD])"), "mock answer"),
    (re.compile(r"1\|v\|([1-9]\d{0,17})\|(0|[1-9]\d{0,2})"), "mock review"),
)


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
            return ExamResult(m.group(1) == "p")
        if kind == "mock":
            return MockStart(full=m.group(1) == "f")
        if kind == "mock answer":
            return MockAnswer(int(m.group(1)), int(m.group(2)), m.group(3))
        return MockReview(int(m.group(1)), int(m.group(2)))
    raise BadPayload("unrecognised")
