from __future__ import annotations

from datetime import date, time

import pytest

from bot import inputs
from bot.domain.domains import UnknownDomainError, parse_domain
from bot.errors import BadInput

TODAY = date(2026, 3, 2)


def test_exam_date_accepts_today_and_future() -> None:
    assert inputs.exam_date("2026-03-02", TODAY) == TODAY
    assert inputs.exam_date(" 2027-02-28 ", TODAY) == date(2027, 2, 28)


@pytest.mark.parametrize(("text", "reason"), [
    ("2027-02-30", "not a real calendar date"), ("2026-03-01", "already passed"),
    ("tomorrow", "YYYY-MM-DD"), ("15/03/2027", "YYYY-MM-DD"), ("2030-01-01", "two years"),
])
def test_exam_date_rejects_with_example(text: str, reason: str) -> None:
    with pytest.raises(BadInput, match=reason) as caught:
        inputs.exam_date(text, TODAY)
    assert "/examdate 2027-03-15" in str(caught.value)


def test_clock_time() -> None:
    assert inputs.clock_time("7:05") == time(7, 5)
    assert inputs.clock_time("23:59") == time(23, 59)
    for bad in ("25:00", "12:60", "noon", "1900", ""):
        with pytest.raises(BadInput, match="/remind 19:00"):
            inputs.clock_time(bad)


def test_timezone_names_are_canonicalised() -> None:
    assert inputs.timezone_name("america/new_york") == "America/New_York"
    for bad in ("Mars/Base", "", "EST5EDT/../x"):
        with pytest.raises(BadInput, match="/timezone America/New_York"):
            inputs.timezone_name(bad)


def test_goal_bounds() -> None:
    assert inputs.daily_goal("1") == 1
    assert inputs.daily_goal("50") == 50
    for bad in ("0", "51", "-3", "ten", "1.5"):
        with pytest.raises(BadInput, match="/goal 10"):
            inputs.daily_goal(bad)


@pytest.mark.parametrize(("text", "number"), [
    ("5", 5), ("D4", 4), ("billing", 5), ("records", 4), ("Finance", 6), ("clerical", 3),
    ("hipaa", 1), ("management", 8),
])
def test_parse_domain(text: str, number: int) -> None:
    assert parse_domain(text).number == number


@pytest.mark.parametrize("text", ["9", "0", "medical", "manage", "xyz", "d"])
def test_parse_domain_rejects(text: str) -> None:
    with pytest.raises(UnknownDomainError):
        parse_domain(text)
