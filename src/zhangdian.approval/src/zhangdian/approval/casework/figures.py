"""The public figures of the month (本月办件): cases decided and the share decided on time."""

from datetime import datetime
from datetime import time
from plone import api
from zhangdian.approval.clock import BUREAU_TIMEZONE
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.rules.application import DECIDED_STATES
from zhangdian.approval.rules.deadlines import decided_on_time


def month_bounds(day):
    """The first moment of `day`'s month and of the next one, in the bureau's time zone."""
    first = day.replace(day=1)
    following = first.replace(year=first.year + 1, month=1) if first.month == 12 else None
    following = following or first.replace(month=first.month + 1)
    return (
        datetime.combine(first, time(), BUREAU_TIMEZONE),
        datetime.combine(following, time(), BUREAU_TIMEZONE),
    )


def month_figures(at=None):
    """{"decided": n, "on_time_rate": 0..1 or None} for the bureau month of `at` (default now)."""
    start, end = month_bounds(bureau_day(at))
    brains = api.content.find(
        portal_type="Application",
        review_state=list(DECIDED_STATES),
        decided_at={"query": (start, end), "range": "min:max"},
        unrestricted=True,
    )
    # The range includes its upper end, which is the next month's first moment.
    decided = [brain._unrestrictedGetObject() for brain in brains if brain.decided_at < end]
    timed = [flag for flag in map(decided_on_time, decided) if flag is not None]
    return {
        "decided": len(decided),
        "on_time_rate": round(sum(timed) / len(timed), 4) if timed else None,
    }
