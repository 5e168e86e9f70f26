"""may_decide: scope, period, suspension, revocation, renewal, qualification (clock moved)."""

from datetime import date
from plone import api
from Products.CMFCore.WorkflowCore import WorkflowException
from tests.helpers.approval import graded
from tests.helpers.approval import grant
from tests.helpers.approval import make_authorization
from tests.helpers.approval import transition
from zhangdian.approval.roster.lifecycle import renew
from zhangdian.approval.rules.authorization import may_decide
from zope.interface import Invalid

import pytest


class TestScopeAndPeriod:
    """An active authorisation covers its categories and single matters, within its period."""

    def test_in_scope(self, granted, matter_list, clock):
        """The approver may decide matters of the authorised category."""
        clock("2026-06-01")
        verdict = may_decide("approver1", matter_list["jmss"]["xk-t-001"])
        assert verdict.allowed and verdict.reason == "allowed"
        assert verdict.authorization == granted

    def test_out_of_scope(self, granted, matter_list, clock):
        """Matters of another category are refused with the reason."""
        clock("2026-06-01")
        verdict = may_decide("approver1", matter_list["shsw"]["xk-t-101"])
        assert (verdict.allowed, verdict.reason) == (False, "out_of_scope")

    def test_single_matter_scope(self, portal, roster, matter_list, clock):
        """A single authorised matter is covered, its neighbours are not."""
        authorization = make_authorization(
            roster, "approver2", "2026-01-01", "2026-12-31", matters=["XK-T-101"]
        )
        clock("2026-01-05")
        grant(portal, authorization)
        assert may_decide("approver2", matter_list["shsw"]["xk-t-101"]).allowed
        assert not may_decide("approver2", matter_list["jmss"]["xk-t-001"]).allowed

    def test_last_day_still_valid(self, granted, matter_list, clock):
        """valid_until is the last day on which the approver may act."""
        clock("2026-12-31")
        assert may_decide("approver1", matter_list["jmss"]["xk-t-001"]).allowed

    def test_day_after_valid_until(self, granted, matter_list, clock):
        """The next day the approver can no longer act, with no command run in between."""
        clock("2027-01-01")
        verdict = may_decide("approver1", matter_list["jmss"]["xk-t-001"])
        assert (verdict.allowed, verdict.reason) == (False, "expired")
        assert api.content.get_state(granted) == "active"

    def test_before_valid_from(self, portal, roster, matter_list, clock):
        """An authorisation granted ahead of its period does not count yet."""
        authorization = make_authorization(
            roster, "approver2", "2026-07-01", "2027-06-30", ["shsw"]
        )
        clock("2026-06-20")
        grant(portal, authorization)
        verdict = may_decide("approver2", matter_list["shsw"]["xk-t-101"])
        assert (verdict.allowed, verdict.reason) == (False, "not_yet_valid")

    def test_not_independent_matter(self, granted, matter_list, clock):
        """A matter not flagged for independent approval is never decided by one person."""
        clock("2026-06-01")
        matter = matter_list["jmss"]["xk-t-001"]
        matter.independent_approval = False
        verdict = may_decide("approver1", matter)
        assert (verdict.allowed, verdict.reason) == (False, "not_independent")

    def test_no_authorization(self, matter_list, clock):
        """Someone without any authorisation is refused."""
        clock("2026-06-01")
        assert may_decide("member", matter_list["jmss"]["xk-t-001"]).reason == "no_authorization"

    def test_pending_does_not_count(self, roster, matter_list, clock):
        """An authorisation that was never granted gives nothing."""
        make_authorization(roster, "approver2", "2026-01-01", "2026-12-31", ["jmss"])
        clock("2026-06-01")
        verdict = may_decide("approver2", matter_list["jmss"]["xk-t-001"])
        assert (verdict.allowed, verdict.reason) == (False, "not_active")


class TestSuspensionRevocationExpiry:
    """State changes take effect at once."""

    def test_suspend_and_reinstate(self, portal, granted, matter_list, clock):
        """Suspension stops the approver immediately; reinstatement restores."""
        clock("2026-03-01")
        matter = matter_list["jmss"]["xk-t-001"]
        transition(portal, granted, "suspend")
        assert may_decide("approver1", matter).reason == "not_active"
        transition(portal, granted, "reinstate")
        assert may_decide("approver1", matter).allowed

    def test_revoke_needs_reason(self, portal, granted, clock):
        """Revocation without a reason is refused and changes nothing."""
        clock("2026-03-01")
        with pytest.raises(WorkflowException, match=r"reason|理由"):
            transition(portal, granted, "revoke")
        assert api.content.get_state(granted) == "active"

    def test_revoke_is_final(self, portal, granted, matter_list, clock):
        """A revoked authorisation never comes back."""
        clock("2026-03-01")
        transition(portal, granted, "revoke", comment="年度考核不称职")
        assert api.content.get_state(granted) == "revoked"
        assert not may_decide("approver1", matter_list["jmss"]["xk-t-001"]).allowed
        workflow = api.portal.get_tool("portal_workflow")
        assert workflow.getTransitionsFor(granted) == ()

    def test_expire_only_after_period(self, portal, granted, clock):
        """The expire transition is refused during the period and allowed after it."""
        clock("2026-12-31")
        with pytest.raises(WorkflowException):
            transition(portal, granted, "expire")
        clock("2027-01-01")
        transition(portal, granted, "expire")
        assert api.content.get_state(granted) == "expired"

    @pytest.mark.parametrize("userid", ["approver1", "member", "editor", "auditor"])
    def test_only_working_group_suspends(self, portal, granted, userid, clock):
        """Nobody but the working group (and Manager) changes an authorisation's state."""
        clock("2026-03-01")
        with pytest.raises(WorkflowException):
            transition(portal, granted, "suspend", userid=userid)
        assert api.content.get_state(granted) == "active"


def renew_as_working_group(portal, authorization):
    """The working group renews an authorisation."""
    from plone.app.testing import login
    from plone.app.testing import logout

    login(portal, "workgroup")
    try:
        return renew(authorization)
    finally:
        logout()


class TestRenewal:
    """Renewal creates the successor; history stays."""

    def test_renewal_prefilled(self, portal, granted):
        """The successor starts the day after, lasts a year and keeps scope and approver."""
        successor = renew_as_working_group(portal, granted)
        assert (successor.valid_from.isoformat(), successor.valid_until.isoformat()) == (
            "2027-01-01",
            "2027-12-31",
        )
        assert successor.scope_categories == ["jmss"]
        assert successor.predecessor == api.content.get_uuid(granted)
        assert successor.last_appraisal is None
        assert api.content.get_state(successor) == "pending"
        assert api.content.get_state(granted) == "active"

    def test_member_cannot_renew(self, portal, granted):
        """Renewal creates content in the roster: the working group's job only."""
        from AccessControl import Unauthorized
        from plone.app.testing import login
        from plone.app.testing import logout

        login(portal, "approver1")
        try:
            with pytest.raises(Unauthorized):
                renew(granted)
        finally:
            logout()

    def test_renewal_gives_access_for_new_period_only(self, portal, granted, matter_list, clock):
        """A renewal for 社会事务 counts from its first day, not before."""
        successor = renew_as_working_group(portal, granted)
        successor.scope_categories = ["shsw"]
        successor.last_appraisal = "excellent"
        successor.last_training_date = date(2026, 1, 1)
        graded(portal, successor.approver, 2026)
        clock("2026-12-20")
        grant(portal, successor)
        assert not may_decide("approver1", matter_list["shsw"]["xk-t-101"]).allowed
        assert may_decide("approver1", matter_list["jmss"]["xk-t-001"]).allowed
        clock("2027-01-02")
        assert may_decide("approver1", matter_list["shsw"]["xk-t-101"]).allowed
        assert not may_decide("approver1", matter_list["jmss"]["xk-t-001"]).allowed


class TestQualification:
    """Granting checks the qualification and says why it refuses."""

    @pytest.mark.parametrize(
        "evidence,expected",
        [
            ({"joined_department": None}, "12个月"),
            ({"joined_department": date(2025, 6, 1)}, "12个月"),
            ({"exam_score": 50}, "考试"),
            ({"exam_date": None}, "考试"),
            ({"exam_certificate_no": None}, "考试"),
            ({"last_appraisal": "incompetent"}, "日常考核"),
            ({"last_appraisal": "competent"}, "日常考核"),
            ({"last_appraisal": None}, "日常考核"),
            ({"established_post": False}, "在编在职"),
            ({"enforcement_certificate_no": None}, "行政执法证"),
            ({"enforcement_certificate_expiry": None}, "行政执法证"),
            ({"enforcement_certificate_expiry": date(2025, 12, 31)}, "2025-12-31"),
            ({"last_training_date": None}, "业务培训"),
            ({"last_training_date": date(2024, 12, 31)}, "业务培训"),
            ({"last_training_date": date(2026, 3, 1)}, "业务培训"),
        ],
    )
    def test_grant_refused(self, portal, roster, clock, evidence, expected):
        """A missing condition refuses the grant with its reason; the state stays pending."""
        authorization = make_authorization(
            roster, "approver2", "2026-01-01", "2026-12-31", ["jmss"], **evidence
        )
        clock("2026-01-10")
        with pytest.raises(WorkflowException, match=expected):
            grant(portal, authorization)
        assert api.content.get_state(authorization) == "pending"

    def test_exactly_one_year_in_post(self, portal, roster, clock):
        """One year in post to the day is enough."""
        authorization = make_authorization(
            roster,
            "approver2",
            "2026-01-10",
            "2027-01-09",
            ["jmss"],
            joined_department=__import__("datetime").date(2025, 1, 10),
        )
        clock("2026-01-10")
        grant(portal, authorization)
        assert api.content.get_state(authorization) == "active"

    @pytest.mark.parametrize(
        "start,end,ok",
        [
            ("2026-01-01", "2027-01-01", True),
            ("2026-01-01", "2027-01-02", False),
            ("2026-02-01", "2026-01-31", False),
        ],
    )
    def test_term_at_most_one_year(self, start, end, ok):
        """The schema refuses a period longer than one year or ending before it starts."""
        from datetime import date
        from zhangdian.approval.content.authorization import check_term

        if ok:
            check_term(date.fromisoformat(start), date.fromisoformat(end))
        else:
            with pytest.raises(Invalid):
                check_term(date.fromisoformat(start), date.fromisoformat(end))


class TestDashboard:
    """What the working group sees on the roster dashboard."""

    def test_expiring_and_without(self, portal, roster, granted, clock):
        """30 days before the end the authorisation is listed; after it, the approver is."""
        from zhangdian.approval.roster.queries import approvers_without_current_authorization
        from zhangdian.approval.roster.queries import expiring_soon

        clock("2026-11-30")
        assert expiring_soon() == []
        clock("2026-12-01")
        assert expiring_soon() == [granted]
        assert approvers_without_current_authorization() == []
        clock("2027-01-01")
        assert expiring_soon() == []
        assert approvers_without_current_authorization() == ["approver1"]

    def test_dashboard_page(self, portal, roster, granted, clock):
        """The page renders for the working group with the days left."""
        from plone.app.testing import login
        from plone.app.testing import logout

        clock("2026-12-20")
        login(portal, "workgroup")
        try:
            html = roster.restrictedTraverse("@@authorization-dashboard")()
        finally:
            logout()
        assert "approver1" in html and "2026-12-31" in html
