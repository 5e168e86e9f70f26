"""The bureau's clock: the one definition of its time zone, of "now" and of "today"."""

from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone


# China has kept UTC+8 without daylight saving since 1991. A fixed offset, not
# ZoneInfo("Asia/Shanghai"): moments are stored in the ZODB, whose pickles cannot hold a
# ZoneInfo (its reducer is a C class method).
BUREAU_TIMEZONE = timezone(timedelta(hours=8), "CST")


def now() -> datetime:
    """The current moment in the bureau's time zone."""
    return datetime.now(BUREAU_TIMEZONE)


def bureau_day(at=None) -> date:
    """The calendar day in the bureau's time zone at `at` (default: now)."""
    if at is None:
        at = now()
    if isinstance(at, datetime):
        if at.tzinfo is None:
            at = at.replace(tzinfo=BUREAU_TIMEZONE)
        return at.astimezone(BUREAU_TIMEZONE).date()
    return at


def today() -> date:
    """The bureau's calendar day now, whatever the server's time zone."""
    return bureau_day()
