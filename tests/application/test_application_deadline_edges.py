"""The clock at its edges: a supplement after the deadline, and a year nobody entered yet."""

from datetime import date
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from Products.CMFCore.WorkflowCore import WorkflowException
from tests.helpers.approval import act
from tests.helpers.approval import complete_checklist
from tests.helpers.approval import decide
from tests.helpers.approval import grant
from tests.helpers.approval import make_authorization
from zhangdian.approval.rules.deadlines import calendar_missing_message
from zhangdian.approval.rules.deadlines import deadline_status
from zhangdian.approval.rules.deadlines import decided_on_time
from zope.globalrequest import getRequest
from zope.i18n import translate

import pytest


def english(message):
    """The message as an English reader gets it."""
    return translate(message, target_language="en")


class TestSupplementAfterTheDeadline:
    @pytest.fixture
    def late(self, portal, approvers, keys, submit, clock):
        """XK-T-001 (5 days) accepted Mon 2026-03-02, due 03-09; supplement asked 03-12."""
        clock("2026-03-02")
        application = submit("XK-T-001")
        act(portal, application, "accept", "approver1")
        assert application.due_date == date(2026, 3, 9)
        clock("2026-03-12")
        assert deadline_status(application) == "overdue"
        act(portal, application, "request_supplement", "approver1", comment="缺少：营业执照")
        return application

    def test_the_clock_stops_without_rewinding(self, portal, late, clock):
        """After resubmission the case is still late: due 03-09, not a new deadline."""
        assert late.missed_deadline == date(2026, 3, 9)
        clock("2026-03-16")
        act(portal, late, "resubmit", "member")
        assert late.due_date == date(2026, 3, 9)
        assert deadline_status(late) == "overdue"

    def test_its_decision_counts_as_late(self, portal, late, clock):
        """The on-time figure counts it late however soon it is decided after resubmission."""
        clock("2026-03-16")
        act(portal, late, "resubmit", "member")
        complete_checklist(late)
        decide(portal, late, "approve", "approver1")
        assert decided_on_time(late) is False

    def test_a_supplement_before_the_deadline_still_gives_the_days_back(
        self, portal, approvers, submit, clock
    ):
        """On the deadline day itself the case is not late: the remaining days resume."""
        clock("2026-03-02")
        application = submit("XK-T-001")
        act(portal, application, "accept", "approver1")
        clock("2026-03-09")  # the due day: five working days used, none overrun
        act(portal, application, "request_supplement", "approver1", comment="缺少：营业执照")
        assert application.missed_deadline is None
        clock("2026-03-16")
        act(portal, application, "resubmit", "member")
        assert application.due_date == date(2026, 3, 16)
        assert deadline_status(application) != "overdue"

    def test_a_new_acceptance_clock_forgets_the_missed_deadline(self, late):
        """start_clock resets what a pause kept (a case is accepted once, but the rule holds)."""
        from zhangdian.approval.rules.deadlines import start_clock

        start_clock(late)
        assert late.missed_deadline is None


class TestYearWithoutASchedule:
    """2027's holidays are not entered (the profile has 2025 and 2026)."""

    @pytest.fixture
    def renewed(self, portal, approvers, clock):
        """approver1 authorised for 2027 too, so that only the calendar stands in the way."""
        authorization = make_authorization(
            portal["approvers"], "approver1", "2027-01-01", "2027-12-31", ["jmss"]
        )
        clock("2026-12-01")
        grant(portal, authorization)
        return authorization

    def test_supplement_across_new_year_refused_with_the_reason(
        self, portal, renewed, submit, clock
    ):
        """The clock cannot count 2027's days: refused with the approver's message, no 500."""
        clock("2026-12-28")
        application = submit("XK-T-002")  # 即办: due the same day, no 2027 day counted
        act(portal, application, "accept", "approver1")
        clock("2027-01-04")
        with pytest.raises(WorkflowException) as refused:
            act(portal, application, "request_supplement", "approver1", comment="缺少：申请书")
        expected = translate(
            calendar_missing_message_for(portal, "approver1", 2027, "request_supplement"),
            context=getRequest(),
        )
        assert str(refused.value) == expected
        assert api.content.get_state(application) == "accepted"
        assert application.supplement_notices == ()
        assert application.paused_on is None

    def test_resubmission_into_a_missing_year_tells_the_applicant_to_wait(
        self, portal, approvers, submit, clock
    ):
        """The applicant is told the bureau is preparing its calendar, never to enter one."""
        clock("2026-12-18")  # Fri: due 12-25
        application = submit("XK-T-001")
        act(portal, application, "accept", "approver1")
        clock("2026-12-21")
        act(portal, application, "request_supplement", "approver1", comment="缺少：申请书")
        clock("2026-12-30")  # four working days remain: into 2027
        with pytest.raises(WorkflowException) as refused:
            act(portal, application, "resubmit", "member")
        assert api.content.get_state(application) == "awaiting_supplement"
        assert application.due_date is None
        expected = translate(
            calendar_missing_message_for(portal, "member", 2027, "resubmit"), context=getRequest()
        )
        assert str(refused.value) == expected

    @pytest.mark.parametrize(
        ("userid", "transition", "tells_to_enter"),
        [
            ("member", "resubmit", False),
            ("approver1", "accept", False),
            ("approver1", "request_supplement", False),
            ("workgroup", "accept", True),
        ],
    )
    def test_only_the_working_group_is_told_to_enter_the_year(
        self, portal, approvers, userid, transition, tells_to_enter
    ):
        """The working group gets the instruction and the calendar's address; others do not."""
        text = english(calendar_missing_message_for(portal, userid, 2027, transition))
        assert "2027" in text
        assert ("@@approval-calendar-controlpanel" in text) is tells_to_enter
        assert ("Enter the State Council" in text) is tells_to_enter


def calendar_missing_message_for(portal, userid, year, transition):
    """The message `userid` would get."""
    login(portal, userid)
    try:
        return calendar_missing_message(year, transition)
    finally:
        logout()
