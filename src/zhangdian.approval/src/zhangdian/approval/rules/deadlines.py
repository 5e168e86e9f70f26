"""An application's time limit on the working-day calendar: the clock and the deadline status."""

from plone import api
from zhangdian.approval import _
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.rules.application import OPEN_STATES
from zhangdian.approval.rules.workdays import CalendarNotMaintained
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
    application.missed_deadline = None
    application.due_date = due_date_from(application, day)


def working_days_run(application, at=None):
    """The working days the clock ran since it last started (CalendarNotMaintained as above)."""
    running_since = application.clock_started_on or bureau_day(application.accepted_at)
    return bureau_calendar().working_days_between(running_since, bureau_day(at))


def stop_clock(application, at=None):
    """Stop the clock while the applicant supplements the materials."""
    day = bureau_day(at)
    used = working_days_run(application, day)
    application.working_days_used = (application.working_days_used or 0) + used
    # Asked for after the deadline had passed: the case was late and stays late (the pause
    # stops the clock, it does not give back the days already overrun).
    due = application.due_date
    application.missed_deadline = due if due is not None and day > due else None
    application.paused_on = day
    application.due_date = None


def resume_clock(application, at=None):
    """Resume after the supplement: the remaining working days count from the resubmission."""
    day = bureau_day(at)
    application.clock_started_on = day
    application.paused_on = None
    if application.missed_deadline is not None:
        application.due_date = application.missed_deadline
        return
    application.due_date = due_date_from(application, day, application.working_days_used or 0)


def calendar_problem(application, transition, at=None):
    """The CalendarNotMaintained a transition's clock would meet, or None when it can run."""
    try:
        if transition in ("request_supplement", "transfer_to_ordinary"):
            if application.paused_on is None and application.due_date is not None:
                working_days_run(application, at)
        elif transition in ("accept", "resubmit"):
            used = 0 if transition == "accept" else application.working_days_used or 0
            if transition == "accept" or application.missed_deadline is None:
                due_date_from(application, bureau_day(at), used)
    except CalendarNotMaintained as error:
        return error
    return None


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


MAINTAINS_CALENDAR = "zhangdian.approval: Manage Authorizations"


def calendar_missing_message(year, transition):
    """Why a clock cannot run, told to whoever tried: only the working group is told to act."""
    if api.user.has_permission(MAINTAINS_CALENDAR, obj=api.portal.get()):
        return _(
            "calendar_missing_working_group",
            default="No statutory holidays are recorded for ${year}, so this case's deadline "
            "cannot be computed. Enter the State Council's schedule for ${year} in the "
            "working-day calendar: ${url}",
            mapping={
                "year": str(year),
                "url": f"{api.portal.get().absolute_url()}/@@approval-calendar-controlpanel",
            },
        )
    if transition == "resubmit":
        return _(
            "calendar_missing_applicant",
            default="The bureau cannot count your case's remaining working days yet: its "
            "calendar for ${year} is still being prepared. Nothing was changed; please send "
            "the supplement again in a few days or call the service window.",
            mapping={"year": str(year)},
        )
    return _(
        "calendar_missing_approver",
        default="The deadline cannot be computed: the holidays of ${year} are not in the "
        "working-day calendar yet. Nothing was changed. The working group keeps the calendar "
        "and sees the missing year on its workbench; ask it to enter ${year}.",
        mapping={"year": str(year)},
    )
