"""The working-day calendar's registry settings and the bureau's calendar read from them.

Not in rules/: the released profiles 1001 and 1002 name `zhangdian.approval.workdays.
ICalendarSettings`, so installing them (as tests/upgrades does) needs the interface here.
"""

from zhangdian.approval import _
from zhangdian.approval.clock import today
from zhangdian.approval.rules.workdays import ConflictingDays
from zhangdian.approval.rules.workdays import MalformedDayLine
from zhangdian.approval.rules.workdays import WorkingCalendar
from zhangdian.approval.rules.workdays import parse_days
from zhangdian.approval.rules.workdays import schedule_problems
from zope import schema
from zope.globalrequest import getRequest
from zope.i18n import translate
from zope.interface import Interface
from zope.interface import Invalid
from zope.interface import invariant


# Records are named by this prefix, not by the interface's module path (see settings.py).
CALENDAR_PREFIX = "zhangdian.approval.calendar"


def check_day_lines(lines) -> bool:
    """Refuse a list of calendar lines with a malformed or repeated line, naming it."""
    seen = set()
    for line in lines or ():
        try:
            days = parse_days([line])
        except MalformedDayLine as error:
            raise Invalid(error.message) from error
        repeated = seen & days.keys()
        if repeated:
            raise Invalid(
                _(
                    'The line "${line}" repeats ${day}: list every day once.',
                    mapping={"line": line.strip(), "day": repeated.pop().isoformat()},
                )
            )
        seen |= days.keys()
    return True


class ICalendarSettings(Interface):
    """The working-day calendar (工作日历): holidays and make-up working days."""

    holidays = schema.List(
        title=_("Statutory holidays"),
        description=_(
            "One day per line: the date as YYYY-MM-DD, a space and the holiday's name, "
            "e.g. 2026-10-01 国庆节, or a range as the State Council's notice gives it, e.g. "
            "2027-02-05 至 2027-02-12 春节. Enter every day off of the schedule, weekend days "
            "included. Deadlines can only be computed in years entered here."
        ),
        value_type=schema.TextLine(),
        required=False,
        default=[],
        constraint=check_day_lines,
    )

    makeup_workdays = schema.List(
        title=_("Make-up working days"),
        description=_(
            "One day per line: the date as YYYY-MM-DD, a space and a note, e.g. "
            "2026-10-10 国庆节调休上班. Saturdays and Sundays on which the bureau works "
            "(调休上班日)."
        ),
        value_type=schema.TextLine(),
        required=False,
        default=[],
        constraint=check_day_lines,
    )

    @invariant
    def no_day_of_both_kinds(data):
        """A day is either a holiday or a make-up working day."""
        holidays = getattr(data, "holidays", None) or []
        makeup_workdays = getattr(data, "makeup_workdays", None) or []
        try:
            WorkingCalendar(set(parse_days(holidays)), set(parse_days(makeup_workdays)))
        except ConflictingDays as error:
            raise Invalid(error.message) from error
        except MalformedDayLine:
            # The field's own constraint reports the line.
            pass

    @invariant
    def a_whole_published_schedule(data):
        """Every statutory festival of a year, make-up days at weekends, no year too far ahead."""
        try:
            problems = schedule_problems(
                getattr(data, "holidays", None) or [],
                getattr(data, "makeup_workdays", None) or [],
                today(),
            )
        except MalformedDayLine:
            return  # the field's own constraint reports the line
        if problems:
            request = getRequest()
            raise Invalid(" ".join(translate(problem, context=request) for problem in problems))


def bureau_calendar() -> WorkingCalendar:
    """The bureau's working-day calendar from the registry."""
    from plone import api

    def lines(name):
        return api.portal.get_registry_record(f"{CALENDAR_PREFIX}.{name}", default=None)

    return WorkingCalendar.from_lines(lines("holidays"), lines("makeup_workdays"))
