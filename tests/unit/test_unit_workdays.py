"""The Chinese working-day calendar: holidays, make-up working days and deadlines."""

from dataclasses import FrozenInstanceError
from datetime import date
from datetime import timedelta
from types import SimpleNamespace
from zhangdian.approval.rules.workdays import CalendarNotMaintained
from zhangdian.approval.rules.workdays import ConflictingDays
from zhangdian.approval.rules.workdays import MalformedDayLine
from zhangdian.approval.rules.workdays import WorkingCalendar
from zhangdian.approval.rules.workdays import parse_days
from zhangdian.approval.workdays import ICalendarSettings
from zhangdian.approval.workdays import check_day_lines
from zope.i18nmessageid import Message
from zope.interface import Invalid

import pytest


def days(first, last):
    """Every day from `first` to `last` (YYYY-MM-DD), both included."""
    day, end = date.fromisoformat(first), date.fromisoformat(last)
    while day <= end:
        yield day
        day += timedelta(days=1)


# 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04), written out independently of the
# profile's registry data.
HOLIDAYS_2026 = {
    *days("2026-01-01", "2026-01-03"),
    *days("2026-02-15", "2026-02-23"),
    *days("2026-04-04", "2026-04-06"),
    *days("2026-05-01", "2026-05-05"),
    *days("2026-06-19", "2026-06-21"),
    *days("2026-09-25", "2026-09-27"),
    *days("2026-10-01", "2026-10-07"),
}
MAKEUP_2026 = {
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
}
# 2025's New Year's Day, so that deadlines may start in December 2025.
HOLIDAYS_2025 = {date(2025, 1, 1), *days("2025-10-01", "2025-10-08")}


@pytest.fixture
def calendar():
    """The 2026 calendar (with a little of 2025)."""
    return WorkingCalendar(HOLIDAYS_2025 | HOLIDAYS_2026, MAKEUP_2026)


def d(text):
    """A date from YYYY-MM-DD."""
    return date.fromisoformat(text)


class TestWorkingDay:
    """Which days the bureau works."""

    @pytest.mark.parametrize("day", ["2026-03-02", "2026-03-06", "2026-09-30"])
    def test_ordinary_weekdays(self, calendar, day):
        assert calendar.is_working_day(d(day)) is True

    @pytest.mark.parametrize("day", ["2026-03-07", "2026-03-08"])
    def test_ordinary_weekend(self, calendar, day):
        assert calendar.is_working_day(d(day)) is False

    @pytest.mark.parametrize("day", ["2026-02-16", "2026-02-23", "2026-10-01", "2026-10-07"])
    def test_holiday_on_a_weekday(self, calendar, day):
        assert calendar.is_working_day(d(day)) is False

    @pytest.mark.parametrize("day", ["2026-01-04", "2026-02-14", "2026-02-28", "2026-10-10"])
    def test_makeup_working_day_on_a_weekend(self, calendar, day):
        assert d(day).weekday() >= 5
        assert calendar.is_working_day(d(day)) is True

    def test_spring_festival_week_has_no_working_day(self, calendar):
        festival = days("2026-02-15", "2026-02-23")
        assert not any(calendar.is_working_day(day) for day in festival)

    def test_covered_years(self, calendar):
        assert calendar.covered_years() == {2025, 2026}

    def test_a_makeup_day_alone_does_not_cover_its_year(self):
        calendar = WorkingCalendar(HOLIDAYS_2026, {date(2025, 12, 27)})
        assert calendar.covered_years() == {2026}
        with pytest.raises(CalendarNotMaintained):
            calendar.is_working_day(date(2025, 12, 27))

    def test_calendar_is_frozen(self, calendar):
        with pytest.raises(FrozenInstanceError):
            calendar.holidays = frozenset()
        assert isinstance(calendar.holidays, frozenset)

    def test_day_of_both_kinds_refused(self):
        with pytest.raises(ConflictingDays, match="2026-10-01 cannot be both") as raised:
            WorkingCalendar(HOLIDAYS_2026, {date(2026, 10, 1)})
        assert isinstance(raised.value, ValueError)


class TestAddWorkingDays:
    """The due date of a case accepted on a day with a number of promised working days."""

    def test_on_the_spot_is_the_acceptance_day(self, calendar):
        """即办: decided the day it is accepted, even on a holiday or a weekend."""
        assert calendar.add_working_days(d("2026-03-03"), 0) == d("2026-03-03")
        assert calendar.add_working_days(d("2026-10-03"), 0) == d("2026-10-03")

    def test_acceptance_day_not_counted(self, calendar):
        assert calendar.add_working_days(d("2026-03-02"), 1) == d("2026-03-03")
        assert calendar.add_working_days(d("2026-03-02"), 5) == d("2026-03-09")

    def test_accepted_on_a_friday(self, calendar):
        assert calendar.add_working_days(d("2026-03-06"), 1) == d("2026-03-09")
        assert calendar.add_working_days(d("2026-03-06"), 5) == d("2026-03-13")

    def test_accepted_on_a_holiday(self, calendar):
        """Accepted on Saturday 3 October: Monday to Wednesday are still holidays."""
        assert calendar.add_working_days(d("2026-10-03"), 1) == d("2026-10-08")

    def test_across_the_spring_festival(self, calendar):
        """Friday 13 Feb: Saturday 14 Feb is worked, then nine days off."""
        assert calendar.add_working_days(d("2026-02-13"), 1) == d("2026-02-14")
        assert calendar.add_working_days(d("2026-02-13"), 2) == d("2026-02-24")
        assert calendar.add_working_days(d("2026-02-13"), 5) == d("2026-02-27")

    def test_makeup_saturday_counted(self, calendar):
        assert calendar.add_working_days(d("2026-02-27"), 1) == d("2026-02-28")
        assert calendar.add_working_days(d("2026-02-27"), 2) == d("2026-03-02")

    def test_across_national_day(self, calendar):
        """Wednesday 30 September + 5: 8, 9, Saturday 10 (调休), 12 and 13 October."""
        assert calendar.add_working_days(d("2026-09-30"), 5) == d("2026-10-13")

    def test_across_new_year(self, calendar):
        """31 Dec 2025 + 1: 1-3 January are off, Sunday 4 January is worked."""
        assert calendar.add_working_days(d("2025-12-31"), 1) == d("2026-01-04")

    def test_twenty_working_days(self, calendar):
        """A statutory 20-day limit from 28 September spans the whole National Day week."""
        due = calendar.add_working_days(d("2026-09-28"), 20)
        assert due == d("2026-10-30")
        assert calendar.working_days_between(d("2026-09-28"), due) == 20

    def test_negative_days_refused(self, calendar):
        with pytest.raises(ValueError, match="must not be negative"):
            calendar.add_working_days(d("2026-03-02"), -1)


class TestWorkingDaysBetween:
    """Working days after a day up to and including another."""

    def test_within_a_week(self, calendar):
        assert calendar.working_days_between(d("2026-03-02"), d("2026-03-04")) == 2

    def test_same_day_and_backwards_are_zero(self, calendar):
        assert calendar.working_days_between(d("2026-03-04"), d("2026-03-04")) == 0
        assert calendar.working_days_between(d("2026-03-04"), d("2026-03-02")) == 0

    def test_across_the_spring_festival(self, calendar):
        """14, 24, 25, 26, 27 and 28 (Saturday, worked) February."""
        assert calendar.working_days_between(d("2026-02-13"), d("2026-02-28")) == 6

    def test_holiday_end_counts_nothing(self, calendar):
        assert calendar.working_days_between(d("2026-09-30"), d("2026-10-07")) == 0

    @pytest.mark.parametrize("start", ["2026-02-12", "2026-04-30", "2026-09-18", "2026-12-01"])
    @pytest.mark.parametrize("count", [1, 3, 10, 20])
    def test_inverse_of_add_working_days(self, calendar, start, count):
        due = calendar.add_working_days(d(start), count)
        assert calendar.working_days_between(d(start), due) == count
        assert calendar.is_working_day(due)


class TestCalendarNotMaintained:
    """No deadline is computed in a year whose holidays nobody entered."""

    def test_deadline_into_an_unmaintained_year(self, calendar):
        with pytest.raises(CalendarNotMaintained) as raised:
            calendar.add_working_days(d("2026-12-28"), 5)
        assert raised.value.year == 2027
        assert isinstance(raised.value, ValueError)
        assert "No statutory holidays are recorded for 2027" in str(raised.value)

    def test_message_is_translatable(self, calendar):
        with pytest.raises(CalendarNotMaintained) as raised:
            calendar.is_working_day(d("2027-01-04"))
        message = raised.value.args[0]
        assert isinstance(message, Message)
        assert message.domain == "zhangdian.approval"
        assert message.mapping == {"year": "2027"}

    def test_counting_into_an_unmaintained_year(self, calendar):
        with pytest.raises(CalendarNotMaintained):
            calendar.working_days_between(d("2026-12-28"), d("2027-01-05"))

    def test_deadline_within_the_year_still_computed(self, calendar):
        assert calendar.add_working_days(d("2026-12-28"), 3) == d("2026-12-31")

    def test_empty_calendar(self):
        with pytest.raises(CalendarNotMaintained) as raised:
            WorkingCalendar().add_working_days(d("2026-03-02"), 1)
        assert raised.value.year == 2026


class TestParseDays:
    """The `YYYY-MM-DD name` lines of the registry."""

    def test_days_with_names(self):
        lines = ["2026-10-01 国庆节", "  2026-10-02\t国庆节  ", "", "2026-09-25 中秋节 团圆"]
        assert parse_days(lines) == {
            d("2026-10-01"): "国庆节",
            d("2026-10-02"): "国庆节",
            d("2026-09-25"): "中秋节 团圆",
        }

    def test_name_optional(self):
        assert parse_days(["2026-10-10"]) == {d("2026-10-10"): ""}

    def test_nothing(self):
        assert parse_days([]) == {}
        assert parse_days(None) == {}

    def test_repeated_day_keeps_the_first_name(self):
        assert parse_days(["2026-10-01 国庆节", "2026-10-01 National Day"]) == {
            d("2026-10-01"): "国庆节"
        }

    @pytest.mark.parametrize(
        "line",
        [
            "2026-13-01 月份错误",
            "2026-02-29 不是闰年",
            "2026/10/01 国庆节",
            "2026-1-1 元旦",
            "20261001 国庆节",
            "2026-W40-4 国庆节",
            "国庆节 2026-10-01",
            "2026-10-01国庆节",
        ],
    )
    def test_bad_line_named(self, line):
        with pytest.raises(ValueError, match=f'The line "{line}" is not a day') as raised:
            parse_days(["2026-10-01 国庆节", line])
        assert isinstance(raised.value, MalformedDayLine)
        assert raised.value.line == line

    def test_from_lines(self):
        calendar = WorkingCalendar.from_lines(
            ["2026-10-01 国庆节", "2026-10-02 国庆节"], ["2026-10-10 国庆节调休上班"]
        )
        assert calendar.holidays == {d("2026-10-01"), d("2026-10-02")}
        assert calendar.makeup_workdays == {d("2026-10-10")}


class TestSettingsValidation:
    """What the control panel accepts."""

    def test_good_lines_accepted(self):
        ICalendarSettings["holidays"].validate(["2026-10-01 国庆节", "2026-10-02 国庆节"])
        assert check_day_lines(["2026-10-10 调休"]) is True

    @pytest.mark.parametrize("field", ["holidays", "makeup_workdays"])
    def test_malformed_line_refused_and_named(self, field):
        with pytest.raises(Invalid) as raised:
            ICalendarSettings[field].validate(["2026-10-01 国庆节", "2026-10-32 国庆节"])
        assert raised.value.args[0].mapping == {"line": "2026-10-32 国庆节"}

    def test_repeated_day_refused_and_named(self):
        with pytest.raises(Invalid) as raised:
            check_day_lines(["2026-10-01 国庆节", "2026-10-01 中秋节"])
        assert raised.value.args[0].mapping == {"line": "2026-10-01 中秋节", "day": "2026-10-01"}

    def test_day_of_both_kinds_refused(self):
        data = SimpleNamespace(holidays=["2026-10-01 国庆节"], makeup_workdays=["2026-10-01 调休"])
        with pytest.raises(Invalid) as raised:
            ICalendarSettings.validateInvariants(data)
        assert raised.value.args[0].mapping == {"days": "2026-10-01"}
