"""Argument parsers: the forms people type, the readings that need a question, clear refusals."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.domain.domains import UnknownDomainError, parse_domain
from bot.errors import BadInput, NeedsChoice
from bot.inputs.clock import clock_time
from bot.inputs.dates import calendar_date
from bot.inputs.settings import daily_goal, exam_date
from bot.inputs.text import quote, whole_number
from bot.inputs.zones import Place, timezone_name

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize("text", ["2027-02-15", "2/15/2027", "Feb 15 2027", "February 15, 2027",
                                  "15 February 2027", "15 feb 2027", "feb. 15th, 2027", " 2027-2-15 ",
                                  "\uff12\uff10\uff12\uff17-\uff10\uff12-\uff11\uff15"])
def test_dates_as_people_type_them(text: str) -> None:
    assert exam_date(text, TODAY) == date(2027, 2, 15)


@pytest.mark.parametrize(("text", "reason"), [
    ("2027-02-30", "not a real calendar date"), ("2/29/2027", "not a real calendar date"),
    ("2026-03-01", "already passed"), ("tomorrow", "not a date I can read"),
    ("2030-01-01", "two years"), ("Febtember 3 2027", "not a date I can read"),
])
def test_exam_date_rejects_with_example(text: str, reason: str) -> None:
    with pytest.raises(BadInput, match=reason) as caught:
        exam_date(text, TODAY)
    assert "/examdate 2027-03-15" in str(caught.value)


def test_a_slashed_date_with_two_readings_is_asked() -> None:
    with pytest.raises(NeedsChoice) as asked:
        calendar_date("3/4/2027", "")
    assert asked.value.options == (date(2027, 3, 4), date(2027, 4, 3))
    assert calendar_date("4/4/2027", "") == date(2027, 4, 4)  # the same either way


@pytest.mark.parametrize(("text", "at"), [
    ("7:05", time(7, 5)), ("23:59", time(23, 59)), ("7pm", time(19)), ("7 pm", time(19)),
    ("7:30 pm", time(19, 30)), ("7:30pm", time(19, 30)), ("19.30", time(19, 30)), ("noon", time(12)),
    ("Midnight", time(0)), ("12am", time(0)), ("12 p.m.", time(12)), ("0:15", time(0, 15)),
    ("\uff11\uff19:\uff10\uff10", time(19)),
])
def test_times_as_people_type_them(text: str, at: time) -> None:
    assert clock_time(text) == at


@pytest.mark.parametrize("text", ["25:00", "12:60", "1900", "", "13pm", "seven", "7:5", "²:00"])
def test_bad_times_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(BadInput, match="/remind 19:00"):
        clock_time(text)


def test_a_bare_hour_is_asked() -> None:
    with pytest.raises(NeedsChoice) as asked:
        clock_time("7")
    assert asked.value.options == (time(7), time(19))


@pytest.mark.parametrize(("text", "zone"), [
    ("america/new_york", "America/New_York"), ("New York", "America/New_York"),
    ("los angeles", "America/Los_Angeles"), ("Central", "America/Chicago"),
    ("eastern time", "America/New_York"),
    ("London", "Europe/London"), ("Portland, OR", "America/Los_Angeles"), ("UTC", "UTC"),
])
def test_time_zones_by_name_city_or_us_zone(text: str, zone: str) -> None:
    assert timezone_name(text) == zone


def test_abbreviations_offer_the_zone_they_most_likely_mean() -> None:
    with pytest.raises(NeedsChoice) as asked:
        timezone_name("EST")
    assert asked.value.options == ("America/New_York",)
    assert "daylight saving" in str(asked.value)


def test_a_city_in_several_zones_is_asked() -> None:
    with pytest.raises(NeedsChoice) as asked:
        timezone_name("Portland")
    places = asked.value.options
    assert all(isinstance(p, Place) for p in places)
    assert {p.zone for p in places} >= {"America/Los_Angeles", "America/New_York"}


@pytest.mark.parametrize("bad", ["Mars/Base", "", "EST5EDT/../x", "Xyzzyville"])
def test_unknown_zones_are_refused(bad: str) -> None:
    with pytest.raises(BadInput, match="/timezone New York"):
        timezone_name(bad)


def test_goal_reads_unicode_digits_and_refuses_lookalikes() -> None:
    assert daily_goal("1") == 1
    assert daily_goal("50") == 50
    assert daily_goal("\uff11\uff15") == 15  # fullwidth
    for bad in ("0", "51", "-3", "ten", "1.5", "²", "①", "5" * 5000, "1 5"):
        with pytest.raises(BadInput, match="/goal 10"):
            daily_goal(bad)


def test_whole_number_never_converts_a_huge_number() -> None:
    with pytest.raises(BadInput, match="1-20"):
        whole_number("9" * 5000, 1, 20, "A round is 1-20 questions.")


def test_quotes_are_cut() -> None:
    assert quote("x" * 5000) == "x" * 59 + "…"
    assert quote("  two\nlines  ") == "two lines"


@pytest.mark.parametrize(("text", "number"), [
    ("5", 5), ("D4", 4), ("billing", 5), ("records", 4), ("Finance", 6), ("clerical", 3),
    ("management", 8),
])
def test_parse_domain(text: str, number: int) -> None:
    assert parse_domain(text).number == number


@pytest.mark.parametrize("text", ["9", "0", "medical", "manage", "xyz", "d", "²", "d²"])
def test_parse_domain_rejects(text: str) -> None:
    with pytest.raises(UnknownDomainError):
        parse_domain(text)
