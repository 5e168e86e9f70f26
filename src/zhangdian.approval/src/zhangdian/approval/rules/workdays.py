"""The Chinese working-day calendar: Mon–Fri without statutory holidays, plus 调休 days."""

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from zhangdian.approval import _
from zhangdian.approval.errors import ApprovalError
from zope.i18nmessageid import Message

import re


SATURDAY = 5
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class CalendarError(ApprovalError, ValueError):
    """A calendar problem with a translatable `message`; str() gives it in English."""

    # Where one escapes a deadline computation over REST, it stays what plone.rest answered
    # before: a server error typed with the class name (an unmaintained calendar is the
    # bureau's setup, not the request's fault).
    code = "CalendarError"
    status = 500

    def __init_subclass__(cls, **kwargs):
        """Type each kind of calendar problem with its own class name."""
        super().__init_subclass__(**kwargs)
        cls.code = cls.__name__


class CalendarNotMaintained(CalendarError):
    """No statutory holidays are recorded for a year a computation reaches."""

    def __init__(self, year: int):
        """`year` is the year nobody has entered the State Council's schedule for."""
        self.year = year
        super().__init__(
            _(
                "No statutory holidays are recorded for ${year}. Enter the State Council's "
                "holiday schedule for ${year} in the working-day calendar before deadlines "
                "in ${year} can be computed.",
                mapping={"year": str(year)},
            )
        )


class MalformedDayLine(CalendarError):
    """A line of the calendar data is not `YYYY-MM-DD name`."""

    def __init__(self, line: str, message: Message):
        """`line` is the offending line as entered."""
        self.line = line
        super().__init__(message)


class ConflictingDays(CalendarError):
    """The same day is listed both as a holiday and as a make-up working day."""

    def __init__(self, days: Iterable[date]):
        """`days` are the days listed twice."""
        self.days = sorted(days)
        super().__init__(
            _(
                "${days} cannot be both a statutory holiday and a make-up working day.",
                mapping={"days": ", ".join(day.isoformat() for day in self.days)},
            )
        )


def parse_days(lines: Iterable[str]) -> dict[date, str]:
    """The days of `YYYY-MM-DD name` lines with their names; MalformedDayLine on a bad line."""
    days = {}
    for line in lines or ():
        text = line.strip()
        if not text:
            continue
        day_text, *name = text.split(maxsplit=1)
        # date.fromisoformat alone would also take 20261001 or 2026-W40-4.
        day = date.fromisoformat(day_text) if _is_iso_day(day_text) else None
        if day is None:
            raise MalformedDayLine(
                line,
                _(
                    'The line "${line}" is not a day: write one day per line as YYYY-MM-DD '
                    "followed by its name, e.g. 2026-10-01 国庆节.",
                    mapping={"line": text},
                ),
            )
        # A day entered twice is still one day off; the control panel refuses the repeat.
        days.setdefault(day, name[0] if name else "")
    return days


def _is_iso_day(text: str) -> bool:
    """True for an existing day written YYYY-MM-DD."""
    if not ISO_DAY.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days: Monday to Friday without the holidays, plus the make-up working days."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)
    _covered_years: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        """Freeze the day sets and refuse a day that is both kinds."""
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "makeup_workdays", frozenset(self.makeup_workdays))
        both = self.holidays & self.makeup_workdays
        if both:
            raise ConflictingDays(both)
        # Every year has at least New Year's Day; a make-up day alone (e.g. a late December
        # Saturday announced with next year's schedule) does not make its year maintained.
        object.__setattr__(self, "_covered_years", frozenset(day.year for day in self.holidays))

    @classmethod
    def from_lines(cls, holiday_lines: Iterable[str], makeup_lines: Iterable[str]):
        """The calendar of the registry's text lines (`YYYY-MM-DD name`)."""
        return cls(set(parse_days(holiday_lines)), set(parse_days(makeup_lines)))

    def covered_years(self) -> set[int]:
        """The years whose statutory holidays are recorded."""
        return set(self._covered_years)

    def is_working_day(self, day: date) -> bool:
        """True when the bureau works on `day`."""
        if day.year not in self._covered_years:
            raise CalendarNotMaintained(day.year)
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < SATURDAY

    def add_working_days(self, start: date, days: int) -> date:
        """The due date of a case accepted on `start` with `days` promised working days."""
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        # The acceptance day is not counted; 0 days (即办) is decided on the spot.
        due = start
        remaining = days
        while remaining:
            due += timedelta(days=1)
            if self.is_working_day(due):
                remaining -= 1
        return due

    def working_days_between(self, start: date, end: date) -> int:
        """The working days after `start` up to and including `end` (0 if end <= start)."""
        count = 0
        day = start + timedelta(days=1)
        while day <= end:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count
