from __future__ import annotations

import pytest

from bot import payloads
from bot.payloads import (
    Answer,
    BadPayload,
    ExamResult,
    ForgetMe,
    MockAnswer,
    MockReview,
    MockStart,
    Next,
    SetReminder,
    SetTimezone,
)

EVERY_KIND = [
    Answer(1, "A"), Answer(999_999_999_999_999_999, "D"), Next(daily=True), Next(daily=False),
    Next(daily=False, domain=8), ForgetMe(True), ForgetMe(False),
    *(SetTimezone(z) for z in payloads.TIMEZONE_PRESETS), SetReminder("07:00"), SetReminder("23:59"),
    ExamResult(True), ExamResult(False),
    MockStart(full=False), MockStart(full=True), MockAnswer(1, 0, "A"),
    MockAnswer(999_999_999_999_999_999, 199, "D"), MockReview(7, 0), MockReview(999_999_999_999_999_999, 199),
]


@pytest.mark.parametrize("payload", EVERY_KIND)
def test_round_trip_within_telegram_limit(payload: payloads.Payload) -> None:
    data = payloads.encode(payload)
    assert 1 <= len(data.encode()) <= 64
    assert payloads.decode(data) == payload


@pytest.mark.parametrize("data", [
    "", "1", "1|a", "1|a|0|A", "1|a|12|E", "1|a|12|a", "1|a|-3|A", "1|a|1|A|x", "2|a|1|A",
    "1|n|q|9", "1|f|maybe", "1|x|y", "1|z|9", "1|r|2460", "1|r|7:00", "x" * 65, "1|a|1 |A", "0|n|d",
    "1|k|x", "1|k|", "1|m|1|0|E", "1|m|0|0|A", "1|m|1|01|A", "1|m|1|1000|A", "1|m|1|-1|A", "1|m|1|A",
    "1|v|1", "1|v|1|x", "1|v|01|0", "1|m|1|0|A|B",
])
def test_forged_or_malformed_payloads_are_rejected(data: str) -> None:
    with pytest.raises(BadPayload):
        payloads.decode(data)
