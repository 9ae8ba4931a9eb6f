"""Recording the real exam's result: retakes and attempts after a fail, renewal after a pass."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot import payloads
from bot.domain.exam_history import years_after
from bot.ports.clock import FixedClock
from tests.chat import Chatter

EXAM = date(2026, 3, 3)


async def after_exam(chat: Chatter, clock: FixedClock) -> None:
    await chat.send(f"/examdate {EXAM.isoformat()}")
    clock.set(clock.now() + timedelta(days=2))  # the day after the exam


async def test_a_fail_from_the_button_gives_the_retake_date_attempts_and_a_plan(
        chat: Chatter, clock: FixedClock) -> None:
    await after_exam(chat, clock)
    fail = payloads.encode(payloads.ExamResult(False))
    for _ in range(2):  # a double press records one attempt
        await chat.press_payload(fail)
        text = chat.text
        assert f"attempt 1, not passed, on {EXAM.isoformat()}" in text
        assert f"First retake date: {EXAM + timedelta(days=45):%A %d %B %Y} (AMT's 45-day wait)" in text
        assert "Attempts left: 3 of 4." in text
    assert "A plan to the first retake date, weakest domains first:" in text
    assert "Final week (" in text and "Mock exams (/mock):" in text
    await chat.send("/examresult failed 2026-03-04")  # a day later: cannot happen, nothing stored
    assert "AMT's 45-day wait means the earliest retake was 2026-04-17" in chat.text
    await chat.send("/examresult")
    assert "Your recorded exams: 2026-03-03 not passed." in chat.text
    assert "Attempts left: 3 of 4." in chat.text
    clock.set(clock.now() + timedelta(days=60))
    await chat.send("/examresult failed April 20 2026")
    assert "attempt 2" in chat.text and "Attempts left: 2 of 4." in chat.text


async def test_the_fourth_fail_is_the_last_attempt(chat: Chatter, clock: FixedClock) -> None:
    clock.set(clock.now() + timedelta(days=200))
    for day in ("2026-03-01", "2026-04-20", "2026-06-10"):
        await chat.send(f"/examresult fail {day}")
    await chat.send("/examresult failed")  # today
    assert "attempt 4" in chat.text and "last of the 4 attempts AMT allows" in chat.text
    assert "A plan to the first retake date" not in chat.text
    await chat.send("/examresult failed 2026-03-01")
    assert "You can book a retake now: the 45-day wait ended on 2026-04-15." in chat.text


async def test_a_pass_starts_renewal_tracking(chat: Chatter, clock: FixedClock) -> None:
    await after_exam(chat, clock)
    await chat.press_payload(payloads.encode(payloads.ExamResult(True)))
    text = chat.text
    assert f"passed on {EXAM.isoformat()}" in text
    assert f"this one ends {date(2029, 3, 3):%A %d %B %Y}" in text
    assert "10 points a year, 30 in the cycle (10 by 2027-03-03, 20 by 2028-03-03, 30 by 2029-03-03)" in text
    assert "$75" in text


async def test_a_second_report_for_the_same_day_corrects_the_first(chat: Chatter, clock: FixedClock) -> None:
    await after_exam(chat, clock)
    await chat.send("/examresult failed")
    await chat.send("/examresult passed")
    await chat.send("/examresult")
    assert "Your recorded exams: 2026-03-03 passed." in chat.text
    assert "Renewal" in chat.text


async def test_plan_after_a_fail_puts_weak_domains_first(chat: Chatter, clock: FixedClock) -> None:
    await after_exam(chat, clock)
    await chat.send("/examresult failed")
    await chat.send("/examdate 2026-05-01")
    await chat.send("/plan")
    assert "A retake: the weeks put your weakest domains first." in chat.text


@pytest.mark.parametrize("command", [
    "/examresult maybe", "/examresult failed 2026-13-01", "/examresult passed 2026-03-09",
    "/examresult failed 2020-01-01", "/examresult failed 2026-03-01 again", "/examresult passed yesterday",
])
async def test_bad_results_explain_with_an_example_and_record_nothing(chat: Chatter, command: str) -> None:
    reply = (await chat.send(command))[0]
    assert "Example: /examresult failed 2026-03-01" in reply.text and "\n" not in reply.text
    await chat.send("/examresult")
    assert "No exam results recorded yet" in chat.text


def test_renewal_dates_survive_a_leap_day() -> None:
    assert years_after(date(2028, 2, 29), 3) == date(2031, 2, 28)
    assert years_after(date(2026, 3, 3), 3) == date(2029, 3, 3)


async def test_histories_that_cannot_happen_are_refused_with_the_rule(chat: Chatter,
                                                                      clock: FixedClock) -> None:
    clock.set(clock.now() + timedelta(days=400))
    await chat.send("/examresult passed 2026-05-01")
    assert "Congratulations" in chat.text
    await chat.send("/examresult failed 2026-08-01")  # a fail after a pass
    assert "You passed on 2026-05-01, so there is no exam to sit again before" in chat.text
    for day in ("2026-02-29", "2027-13-01", "2/30/2026"):
        await chat.send(f"/examresult failed {day}")
        assert "is not a real calendar date" in chat.text, day
    await chat.send("/examresult failed 2027-12-01")
    assert "has not happened yet" in chat.text
    await chat.send("/examresult")
    assert "Your recorded exams: 2026-05-01 passed." in chat.text


async def test_a_fifth_attempt_is_refused(chat: Chatter, clock: FixedClock) -> None:
    clock.set(clock.now() + timedelta(days=300))
    for day in ("2026-01-05", "2026-03-01", "2026-04-20", "2026-06-10"):
        await chat.send(f"/examresult fail {day}")
    await chat.send("/examresult failed 2026-08-01")
    assert "AMT allows at most 4 attempts" in chat.text
    await chat.send("/examresult")
    assert chat.text.count("not passed") == 4 and "last of the 4 attempts" in chat.text


async def test_a_date_with_two_readings_is_asked(chat: Chatter, clock: FixedClock) -> None:
    clock.set(clock.now() + timedelta(days=100))
    await chat.send("/examresult failed 3/4/2026")
    assert "March 4 or April 3?" in chat.text
    await chat.press("Fri Apr 3, 2026")
    assert "attempt 1, not passed, on 2026-04-03" in chat.text
