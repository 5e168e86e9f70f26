"""The one-person decision: accept, supplement, review, decide, withdraw; frozen afterwards."""

from datetime import date
from datetime import datetime
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from Products.CMFCore.WorkflowCore import WorkflowException
from tests.helpers.approval import act
from tests.helpers.approval import complete_checklist
from tests.helpers.approval import decide
from zhangdian.approval.casework.notices import applicant_email
from zhangdian.approval.casework.queue import applications_for_queue
from zhangdian.approval.casework.queue import approver_statistics
from zhangdian.approval.clock import BUREAU_TIMEZONE
from zhangdian.approval.rules.deadlines import deadline_status
from zhangdian.approval.signing.decision import SignatureRefused
from zope.i18n import translate

import pytest
import re


def noon(day):
    """Noon on a day of March 2026, China time."""
    return datetime(2026, 3, day, 12, tzinfo=BUREAU_TIMEZONE)


def permissions_of(portal, userid, obj, *names):
    """The subset of `names` that `userid` holds on `obj`."""
    login(portal, userid)
    try:
        return {name for name in names if api.user.has_permission(name, obj=obj)}
    finally:
        logout()


@pytest.fixture
def application(approvers, keys, submit, clock):
    """An application for XK-T-001 (5 promised working days) submitted on Mon 2026-03-02."""
    clock("2026-03-02")
    return submit("XK-T-001")


class TestSubmission:
    def test_numbered_with_query_code(self, application, submit):
        assert re.fullmatch(r"ZD-2026-\d{6}", application.number)
        assert application.getId() == application.number.lower()
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", application.query_code)
        second = submit("XK-T-001")
        assert int(second.number[-6:]) == int(application.number[-6:]) + 1
        assert second.query_code != application.query_code
        assert api.content.get_state(application) == "submitted"
        assert application.title.startswith(application.number)
        assert application.submitted_at.date() == date(2026, 3, 2)

    def test_applicant_is_owner(self, application):
        assert "Owner" in api.user.get_roles(username="member", obj=application)
        assert application.channel == "online"

    def test_other_members_see_nothing_of_it(self, portal, application):
        with api.env.adopt_roles(["Manager"]):
            api.user.create(username="member2", email="m2@example.org", password="pw-123456")
        assert "View" in permissions_of(portal, "member", application, "View")
        assert permissions_of(portal, "member2", application, "View") == set()
        login(portal, "member2")
        try:
            assert len(api.content.find(portal_type="Application")) == 0
        finally:
            logout()

    def test_counter_registration_and_decision_in_one_sitting(self, portal, keys, submit):
        walk_in = submit("XK-T-001", userid="approver1", contact_email="walkin@example.org")
        assert walk_in.channel == "counter"
        act(portal, walk_in, "accept", "approver1")
        complete_checklist(walk_in)
        decide(portal, walk_in, "approve", "approver1")
        assert api.content.get_state(walk_in) == "approved"
        assert walk_in.accepted_by == walk_in.decided_by == "approver1"
        assert walk_in.decision_document.data.startswith(b"%PDF")
        assert applicant_email(walk_in) == "walkin@example.org"

    def test_counter_registration_without_email_mails_nobody(self, approvers, submit):
        walk_in = submit("XK-T-001", userid="approver1")
        assert applicant_email(walk_in) == ""


class TestTimeLimits:
    def test_deadline_in_working_days_from_acceptance(self, portal, application, clock):
        clock("2026-03-06")  # a Friday
        act(portal, application, "accept", "approver1")
        assert application.due_date == date(2026, 3, 13)
        assert deadline_status(application, noon(6)) == "on_time"

    def test_on_the_spot_matter_is_due_the_same_day(self, portal, approvers, submit, clock):
        clock("2026-03-03")
        instant = submit("XK-T-002")
        act(portal, instant, "accept", "approver1")
        assert instant.due_date == date(2026, 3, 3)

    def test_deadline_skips_the_national_day_holiday(self, portal, approvers, submit, clock):
        clock("2026-09-30")
        application = submit("XK-T-001")
        act(portal, application, "accept", "approver1")
        # 10-01..10-07 are holidays; Saturday 10-10 is a make-up working day (调休).
        assert application.due_date == date(2026, 10, 13)

    def test_deadline_skips_the_spring_festival(self, portal, approvers, submit, clock):
        clock("2026-02-13")
        application = submit("XK-T-001")
        act(portal, application, "accept", "approver1")
        # Saturday 02-14 is a make-up working day, 02-15..02-23 the holiday.
        assert application.due_date == date(2026, 2, 27)

    def test_year_without_a_schedule_refuses_acceptance(self, portal, approvers, submit, clock):
        clock("2026-12-28")
        application = submit("XK-T-001")
        with pytest.raises(WorkflowException, match="2027"):
            act(portal, application, "accept", "approver1")
        assert api.content.get_state(application) == "submitted"
        assert application.due_date is None

    def test_clock_stops_during_supplement_and_resumes(self, portal, application, clock):
        clock("2026-03-02")
        act(portal, application, "accept", "approver1")
        assert application.due_date == date(2026, 3, 9)
        clock("2026-03-04")  # two working days used
        act(portal, application, "request_supplement", "approver1", comment="缺少：申请书原件")
        assert application.due_date is None
        assert deadline_status(application) == "paused"
        assert application.supplement_notices[-1]["text"] == "缺少：申请书原件"
        clock("2026-03-16")
        act(portal, application, "resubmit", "member")
        # Three working days remain, counted from the resubmission.
        assert application.due_date == date(2026, 3, 19)
        assert api.content.get_state(application) == "accepted"

    def test_overdue_and_due_soon(self, portal, application, clock):
        act(portal, application, "accept", "approver1")
        assert deadline_status(application, noon(6)) == "due_soon"
        assert deadline_status(application, noon(10)) == "overdue"


class TestDecision:
    def test_supplement_notice_must_list_the_materials(self, portal, application):
        act(portal, application, "accept", "approver1")
        with pytest.raises(WorkflowException, match="一次性告知"):
            act(portal, application, "request_supplement", "approver1", comment=" ")
        assert api.content.get_state(application) == "accepted"

    def test_approve_needs_the_complete_checklist(self, portal, application):
        act(portal, application, "accept", "approver1")
        with pytest.raises(SignatureRefused) as refused:
            decide(portal, application, "approve", "approver1")
        assert "申请书" in " ".join(translate(m) for m in refused.value.messages)
        assert api.content.get_state(application) == "accepted"
        complete_checklist(application)
        decide(portal, application, "approve", "approver1")
        assert api.content.get_state(application) == "approved"
        assert application.decided_by == "approver1"
        assert application.decision == "approved"

    def test_refusal_needs_a_written_reason(self, portal, application):
        act(portal, application, "accept", "approver1")
        complete_checklist(application)
        with pytest.raises(SignatureRefused, match="not_allowed"):
            decide(portal, application, "refuse", "approver1")
        decide(portal, application, "refuse", "approver1", "经营场所不符合条件")
        assert application.decision_reason == "经营场所不符合条件"

    def test_decided_application_is_frozen_for_everyone(self, portal, application):
        act(portal, application, "accept", "approver1")
        complete_checklist(application)
        decide(portal, application, "approve", "approver1")
        frozen = (
            "Modify portal content",
            "Add portal content",
            "Delete objects",
            "zhangdian.approval: Add SubmittedMaterial",
            "zhangdian.approval: Edit Application Data",
            "zhangdian.approval: Decide Application",
            "zhangdian.approval: Withdraw Application",
        )
        for userid in ("member", "approver1", "workgroup", "auditor"):
            assert permissions_of(portal, userid, application, *frozen) == set()
            assert "View" in permissions_of(portal, userid, application, "View")
        with api.env.adopt_roles(["Manager"]):
            assert {n for n in frozen if api.user.has_permission(n, obj=application)} == set()
            workflow = api.portal.get_tool("portal_workflow")
            assert workflow.getTransitionsFor(application) == ()

    def test_applicant_withdraws_before_decision(self, portal, application):
        with pytest.raises(WorkflowException):
            act(portal, application, "withdraw", "approver1")
        act(portal, application, "withdraw", "member")
        assert api.content.get_state(application) == "withdrawn"

    def test_applicant_cannot_change_data_once_accepted(self, portal, application):
        name = "zhangdian.approval: Edit Application Data"
        assert permissions_of(portal, "member", application, name) == {name}
        act(portal, application, "accept", "approver1")
        assert permissions_of(portal, "member", application, name) == set()
        assert permissions_of(
            portal, "approver1", application, "zhangdian.approval: Decide Application"
        ) == {"zhangdian.approval: Decide Application"}

    def test_matter_cannot_be_changed_after_submission(self, portal, application):
        name = "zhangdian.approval: Submit Application"
        for userid in ("member", "approver1"):
            assert permissions_of(portal, userid, application, name) == set()


class TestQueue:
    def test_due_date_first_and_only_actionable(self, portal, approvers, submit, clock):
        clock("2026-03-02")
        later = submit("XK-T-001")
        act(portal, later, "accept", "approver1")
        clock("2026-03-03")
        sooner = submit("XK-T-002")
        act(portal, sooner, "accept", "approver1")
        waiting = submit("XK-T-001")
        other = submit("XK-T-101")
        queue = applications_for_queue("approver1")
        assert [a.getId() for a in queue] == [sooner.getId(), later.getId(), waiting.getId()]
        assert other not in queue
        assert [a.getId() for a in applications_for_queue("approver1", states=["submitted"])] == [
            waiting.getId()
        ]
        assert [a.getId() for a in applications_for_queue("approver1", matter_code="XK-T-002")] == [
            sooner.getId()
        ]
        # approver4 covers 经贸商事 too, but only the unaccepted one is theirs to take.
        assert [a.getId() for a in applications_for_queue("approver4")] == [waiting.getId()]

    def test_queue_is_empty_the_day_after_expiry(self, portal, application, clock):
        clock("2027-01-01")
        assert applications_for_queue("approver1") == []

    def test_statistics(self, portal, keys, submit, clock):
        clock("2026-03-02")
        first = submit("XK-T-001")
        act(portal, first, "accept", "approver1")
        complete_checklist(first)
        decide(portal, first, "approve", "approver1")
        second = submit("XK-T-001")
        act(portal, second, "accept", "approver1")
        complete_checklist(second)
        clock("2026-03-20")  # after the deadline of 2026-03-09
        decide(portal, second, "refuse", "approver1", "材料不实")
        stats = approver_statistics("approver1")
        assert stats["decided_today"] == 1
        assert stats["decided_this_month"] == 2
        assert stats["on_time_rate"] == 0.5
