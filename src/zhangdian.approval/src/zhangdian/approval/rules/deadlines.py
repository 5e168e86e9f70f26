"""An application's time limit on the working-day calendar: the clock and the deadline status."""

from plone import api
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.rules.application import OPEN_STATES
from zhangdian.approval.workdays import bureau_calendar


DUE_SOON_WORKING_DAYS = 1


def due_date_from(application, day, working_days_used=0):
    """The deadline when the clock runs from `day` with `working_days_used` already gone.

    Raises CalendarNotMaintained when the deadline falls in a year without a schedule.
    """
    matter = application.matter_object()
    remaining = max(matter.promised_days - working_days_used, 0)
    return bureau_calendar().add_working_days(day, remaining)


def start_clock(application, at=None):
    """Set the deadline at acceptance: promised working days, or today for 即办 matters."""
    day = bureau_day(at)
    application.working_days_used = 0
    application.clock_started_on = day
    application.paused_on = None
    application.due_date = due_date_from(application, day)


def stop_clock(application, at=None):
    """Stop the clock while the applicant supplements the materials."""
    day = bureau_day(at)
    running_since = application.clock_started_on or bureau_day(application.accepted_at)
    used = bureau_calendar().working_days_between(running_since, day)
    application.working_days_used = (application.working_days_used or 0) + used
    application.paused_on = day
    application.due_date = None


def resume_clock(application, at=None):
    """Resume after the supplement: the remaining working days count from the resubmission."""
    day = bureau_day(at)
    application.clock_started_on = day
    application.paused_on = None
    application.due_date = due_date_from(application, day, application.working_days_used or 0)


def deadline_status(application, at=None):
    """'overdue', 'due_soon', 'on_time', 'paused' or None (not running) for lists and badges."""
    state = api.content.get_state(application)
    if state == "awaiting_supplement":
        return "paused"
    due = application.due_date
    if state not in OPEN_STATES or due is None:
        return None
    day = bureau_day(at)
    if day > due:
        return "overdue"
    if bureau_calendar().working_days_between(day, due) <= DUE_SOON_WORKING_DAYS:
        return "due_soon"
    return "on_time"


def decided_on_time(application):
    """True when the decision fell on or before the deadline."""
    if application.decided_at is None or application.due_date is None:
        return None
    return bureau_day(application.decided_at) <= application.due_date
