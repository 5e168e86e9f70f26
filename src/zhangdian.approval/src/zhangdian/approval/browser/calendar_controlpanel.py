"""The working group's control panel for the working-day calendar (工作日历)."""

from plone.app.registry.browser.controlpanel import ControlPanelFormWrapper
from plone.app.registry.browser.controlpanel import RegistryEditForm
from plone.z3cform import layout
from zhangdian.approval import _
from zhangdian.approval.workdays import CALENDAR_PREFIX
from zhangdian.approval.workdays import ICalendarSettings


class CalendarControlPanelForm(RegistryEditForm):
    """Edit the statutory holidays and make-up working days."""

    schema = ICalendarSettings
    schema_prefix = CALENDAR_PREFIX
    id = "approval-calendar-controlpanel"
    label = _("Working-day calendar")
    description = _(
        "Deadlines are counted in working days on this calendar. Enter each new year's "
        "holidays and make-up working days as soon as the State Council publishes them."
    )


CalendarControlPanel = layout.wrap_form(CalendarControlPanelForm, ControlPanelFormWrapper)
