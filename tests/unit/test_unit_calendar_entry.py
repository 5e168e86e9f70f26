"""Entering the State Council's schedule: ranges as published, and the slips the form refuses."""

from datetime import date
from tests.helpers.calendar import HOLIDAYS_2027
from zhangdian.approval.rules.workdays import MalformedDayLine
from zhangdian.approval.rules.workdays import WorkingCalendar
from zhangdian.approval.rules.workdays import next_year_missing
from zhangdian.approval.rules.workdays import parse_days
from zhangdian.approval.rules.workdays import schedule_problems
from zope.i18n import translate

import pytest


TODAY = date(2026, 11, 20)
MAKEUP_2027 = ["2027-01-30 上班", "2027-02-20 上班"]


def texts(problems):
    """The problems in English."""
    return [translate(problem, target_language="en") for problem in problems]


def test_a_range_is_every_day_from_its_first_to_its_last_with_its_name():
    days = parse_days(["2027-02-05 至 2027-02-12 春节", "2027-01-01~2027-01-03 元旦"])
    assert [day for day, name in days.items() if name == "春节"] == [
        date(2027, 2, d) for d in range(5, 13)
    ]
    assert len([name for name in days.values() if name == "元旦"]) == 3


@pytest.mark.parametrize(
    "line",
    [
        "2027-02-12 至 2027-02-05 春节",  # backwards
        "2027-02-05 至 2027-02-30 春节",  # no such day
        "2027-01-01 至 2027-03-01 寒假",  # longer than any holiday
        "2027/02/05 至 2027/02/12 春节",
    ],
)
def test_a_range_that_is_no_holiday_is_refused_and_named(line):
    with pytest.raises(MalformedDayLine) as refused:
        parse_days([line])
    assert refused.value.line == line


def test_the_whole_published_schedule_is_accepted():
    assert schedule_problems(HOLIDAYS_2027, MAKEUP_2027, TODAY) == []
    calendar = WorkingCalendar.from_lines(HOLIDAYS_2027, MAKEUP_2027)
    assert not calendar.is_working_day(date(2027, 2, 8))
    assert calendar.is_working_day(date(2027, 1, 30))  # Saturday 上班


def test_a_make_up_day_on_a_weekday_is_refused():
    """2027-02-03 is a Wednesday: the bureau works then anyway."""
    (problem,) = texts(schedule_problems(HOLIDAYS_2027, ["2027-02-03 上班"], TODAY))
    assert "2027-02-03 is a weekday" in problem


def test_a_make_up_day_typed_into_the_holidays_is_refused():
    (problem,) = texts(schedule_problems([*HOLIDAYS_2027, "2027-01-30 上班"], [], TODAY))
    assert '"2027-01-30 上班" is a make-up working day' in problem


def test_a_year_more_than_one_ahead_is_refused():
    later = [line.replace("2027", "2028") for line in HOLIDAYS_2027]
    (problem,) = texts(schedule_problems(later, [], TODAY))
    assert problem.startswith("2028 is more than one year ahead")
    # A year later, 2028 is next year and may be entered.
    assert schedule_problems(later, [], date(2027, 11, 1)) == []


def test_a_year_without_every_statutory_festival_is_refused_naming_them():
    partial = [line for line in HOLIDAYS_2027 if "端午" not in line and "中秋" not in line]
    (problem,) = texts(schedule_problems(partial, [], TODAY))
    assert "The holidays of 2027 lack 端午、中秋" in problem


def test_a_combined_festival_counts_for_both():
    """2025's 国庆节、中秋节 days name both festivals."""
    holidays = [line for line in HOLIDAYS_2027 if "中秋" not in line and "国庆" not in line]
    holidays.append("2027-10-01 至 2027-10-08 国庆节、中秋节")
    assert schedule_problems(holidays, MAKEUP_2027, TODAY) == []


@pytest.mark.parametrize(
    ("today", "warned"),
    [
        (date(2026, 10, 31), None),  # before November: not yet due
        (date(2026, 11, 1), 2027),
        (date(2026, 12, 31), 2027),
    ],
)
def test_from_november_the_missing_next_year_is_named(today, warned):
    calendar = WorkingCalendar.from_lines(["2026-01-01 元旦"], [])
    assert next_year_missing(calendar, today) == warned
    entered = WorkingCalendar.from_lines(["2026-01-01 元旦", *HOLIDAYS_2027], [])
    assert next_year_missing(entered, today) is None
