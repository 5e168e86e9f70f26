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


# A range as the State Council's notice writes it: `2027-02-05 至 2027-02-12 春节`.
DAY_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*(?:至|到|~|～|—)\s*(\d{4}-\d{2}-\d{2})(?:\s+(.*))?")
# No holiday of the schedule lasts longer; a longer range is a typing slip.
LONGEST_RANGE_DAYS = 31


def _malformed(line):
    return MalformedDayLine(
        line,
        _(
            'The line "${line}" is not a day: write one day per line as YYYY-MM-DD '
            "followed by its name, e.g. 2026-10-01 国庆节, or a range such as "
            "2027-02-05 至 2027-02-12 春节.",
            mapping={"line": line.strip()},
        ),
    )


def _line_days(text):
    """The days of one line and their name: one day, or each day of a range."""
    found = DAY_RANGE.fullmatch(text)
    if found:
        first, last, name = found.groups()
        if not (_is_iso_day(first) and _is_iso_day(last)):
            raise _malformed(text)
        start, end = date.fromisoformat(first), date.fromisoformat(last)
        if not 0 <= (end - start).days < LONGEST_RANGE_DAYS:
            raise _malformed(text)
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        return days, name or ""
    day_text, *name = text.split(maxsplit=1)
    # date.fromisoformat alone would also take 20261001 or 2026-W40-4.
    if not _is_iso_day(day_text):
        raise _malformed(text)
    return [date.fromisoformat(day_text)], name[0] if name else ""


def parse_days(lines: Iterable[str]) -> dict[date, str]:
    """The days of `YYYY-MM-DD name` (or `A 至 B name`) lines; MalformedDayLine on a bad line."""
    days = {}
    for line in lines or ():
        text = line.strip()
        if not text:
            continue
        found, name = _line_days(text)
        for day in found:
            # A day entered twice is still one day off; the control panel refuses the repeat.
            days.setdefault(day, name)
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


# The statutory festivals (全体公民放假的节日) every year's schedule has, as its names say them.
STATUTORY_FESTIVALS = ("元旦", "春节", "清明", "劳动节", "端午", "中秋", "国庆")
# Words of the notice that mark a make-up working day, not a day off.
WORKING_DAY_WORDS = ("上班", "补班")
WEEKDAYS_ZH = "一二三四五六日"
# The State Council publishes next year's schedule in the autumn; from November it is due.
NEXT_YEAR_WARNING_MONTH = 11


def schedule_problems(holiday_lines, makeup_lines, today: date) -> list[Message]:
    """What is wrong with a calendar as entered, each problem named; [] when it can be saved."""
    problems = []
    holidays = parse_days(holiday_lines)
    makeup_workdays = parse_days(makeup_lines)
    for line in holiday_lines or ():
        if any(word in line for word in WORKING_DAY_WORDS):
            problems.append(
                _(
                    'The line "${line}" is a make-up working day: enter it under make-up '
                    "working days, not under holidays.",
                    mapping={"line": line.strip()},
                )
            )
    for day in sorted(makeup_workdays):
        if day.weekday() < SATURDAY:
            problems.append(
                _(
                    "${day} is a weekday (星期${weekday}), and the bureau works on weekdays "
                    "anyway: a make-up working day is a Saturday or Sunday.",
                    mapping={"day": day.isoformat(), "weekday": WEEKDAYS_ZH[day.weekday()]},
                )
            )
    entered_years = {day.year for day in (*holidays, *makeup_workdays)}
    too_far = sorted(year for year in entered_years if year > today.year + 1)
    for year in too_far:
        problems.append(
            _(
                "${year} is more than one year ahead: enter a year's schedule once the State "
                "Council has published it (in the autumn before).",
                mapping={"year": str(year)},
            )
        )
    for year in sorted({day.year for day in holidays} - set(too_far)):
        names = " ".join(name for day, name in holidays.items() if day.year == year)
        missing = [festival for festival in STATUTORY_FESTIVALS if festival not in names]
        if missing:
            problems.append(
                _(
                    "The holidays of ${year} lack ${festivals}: enter the whole schedule of "
                    "the year, every statutory festival with its name.",
                    mapping={"year": str(year), "festivals": "、".join(missing)},
                )
            )
    return problems


def next_year_missing(calendar: WorkingCalendar, today: date) -> int | None:
    """From 1 November, next year when its holidays are not entered yet (None otherwise)."""
    if today.month < NEXT_YEAR_WARNING_MONTH or today.year + 1 in calendar.covered_years():
        return None
    return today.year + 1
