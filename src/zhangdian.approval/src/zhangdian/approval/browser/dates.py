"""Dates and times for people: four-digit years, a 24-hour clock, always Beijing time.

`bureau_time` is the one formatter every page and every human-facing text uses:
`2026-12-02 14:05`, whatever the server's zone or the locale (whose short format prints
1/1/26 and a 12-hour clock). Machine-facing values (REST, the journal's own record) stay ISO.
"""

from DateTime import DateTime
from datetime import date
from datetime import datetime
from plone.app.z3cform.widgets.datetime import DateWidget
from z3c.form.widget import FieldWidget
from zhangdian.approval.clock import BUREAU_TIMEZONE


DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%Y-%m-%d %H:%M"


def _moment(value):
    """`value` (datetime, Zope DateTime or ISO text) as an aware datetime in Beijing time."""
    if isinstance(value, DateTime):
        value = value.asdatetime()
    elif isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        # Naive moments in this code base are the bureau's own (clock.now() minus its zone).
        value = value.replace(tzinfo=BUREAU_TIMEZONE)
    return value.astimezone(BUREAU_TIMEZONE)


def _shown(value, moment_format):
    """`value` in Beijing time by `moment_format`; a day always as a day; "" for none."""
    if value in (None, ""):
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime(DATE_FORMAT)
    return _moment(value).strftime(moment_format)


def bureau_time(value):
    """A moment as `2026-12-02 14:05` in Beijing time (a day as `2026-12-02`); "" for none."""
    return _shown(value, TIME_FORMAT)


def bureau_date(value):
    """A day (or the Beijing day of a moment) as `2026-12-02`; "" for none."""
    return _shown(value, DATE_FORMAT)


class FullYearDateWidget(DateWidget):
    """Plone's date widget; its display uses the locale's medium format (2026-1-1, Jan 1, 2026)."""

    _formater_length = "medium"


def FullYearDateFieldWidget(field, request):
    """The widget for a date field."""
    return FieldWidget(field, FullYearDateWidget(request))
