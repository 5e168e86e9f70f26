"""Who may see and act on an application: derived from the authorisations at access time."""

from datetime import date
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from Products.CMFCore.WorkflowCore import WorkflowException
from tests.helpers.approval import act
from tests.helpers.approval import graded
from tests.helpers.approval import grant
from tests.helpers.approval import transition
from zhangdian.approval.casework.security import bring_security_in_line
from zhangdian.approval.roster.lifecycle import expire_due
from zhangdian.approval.roster.lifecycle import renew
from zope.event import notify
from zope.lifecycleevent import ObjectModifiedEvent

import pytest


def roles_of(userid, obj):
    """The roles `userid` has on `obj`, local roles from providers included."""
    return api.user.get_roles(username=userid, obj=obj)


def visible_applications(portal, userid):
    """Ids of applications the catalog shows `userid`."""
    login(portal, userid)
    try:
        return sorted(b.getId for b in api.content.find(portal_type="Application"))
    finally:
        logout()


def can_view(portal, userid, obj):
    """True when `userid` has View on `obj`."""
    login(portal, userid)
    try:
        return bool(api.user.has_permission("View", obj=obj))
    finally:
        logout()


def transitions_for(portal, userid, obj):
    """Ids of the transitions `userid` may fire on `obj`."""
    login(portal, userid)
    try:
        workflow = api.portal.get_tool("portal_workflow")
        return sorted(t["id"] for t in workflow.getTransitionsFor(obj))
    finally:
        logout()


@pytest.fixture
def two_applications(approvers, submit, clock):
    """One application in 经贸商事 (XK-T-001) and one in 社会事务 (XK-T-101)."""
    clock("2026-03-02")
    return submit("XK-T-001"), submit("XK-T-101")


class TestScope:
    def test_role_only_on_applications_in_scope(self, two_applications):
        trade, social = two_applications
        assert "IndependentApprover" in roles_of("approver1", trade)
        assert "IndependentApprover" not in roles_of("approver1", social)
        assert "IndependentApprover" in roles_of("approver2", social)

    def test_role_on_nothing_else(self, portal, two_applications):
        for obj in (portal, portal["applications"], portal["matters"], portal["approvers"]):
            assert "IndependentApprover" not in roles_of("approver1", obj)

    def test_sees_and_acts_in_scope_only(self, portal, two_applications):
        trade, social = two_applications
        assert can_view(portal, "approver1", trade)
        assert not can_view(portal, "approver1", social)
        assert transitions_for(portal, "approver1", trade) == ["accept"]
        assert transitions_for(portal, "approver1", social) == []
        with pytest.raises(WorkflowException):
            act(portal, social, "accept", "approver1")
        assert api.content.get_state(social) == "submitted"

    def test_catalog_shows_scope_only(self, portal, two_applications):
        trade, social = two_applications
        assert visible_applications(portal, "approver1") == [trade.getId()]
        assert visible_applications(portal, "approver2") == [social.getId()]

    def test_applicant_sees_own_but_cannot_accept(self, portal, two_applications):
        trade, _ = two_applications
        assert can_view(portal, "member", trade)
        assert "accept" not in transitions_for(portal, "member", trade)

    def test_material_inherits_the_role(self, portal, two_applications):
        trade, _ = two_applications
        login(portal, "member")
        material = api.content.create(
            container=trade, type="SubmittedMaterial", material="申请书", title="申请书"
        )
        logout()
        assert can_view(portal, "approver1", material)
        assert not can_view(portal, "approver2", material)


class TestTime:
    def test_day_after_valid_until_without_any_command(self, portal, two_applications, clock):
        trade, _ = two_applications
        clock("2026-12-31")
        assert transitions_for(portal, "approver1", trade) == ["accept"]
        clock("2027-01-01")
        assert "IndependentApprover" not in roles_of("approver1", trade)
        assert not can_view(portal, "approver1", trade)
        with pytest.raises(WorkflowException):
            act(portal, trade, "accept", "approver1")

    def test_expiry_command_brings_the_catalog_in_line(self, portal, two_applications, clock):
        trade, _ = two_applications
        clock("2027-01-01")
        # Before the command the index still names approver1; the rule already refuses.
        assert visible_applications(portal, "approver1") == [trade.getId()]
        assert not can_view(portal, "approver1", trade)
        expire_due()
        assert visible_applications(portal, "approver1") == []

    def test_suspension_and_revocation_act_at_once(self, portal, approvers, two_applications):
        trade, _ = two_applications
        authorization = approvers["approver1"]
        transition(portal, authorization, "suspend")
        assert not can_view(portal, "approver1", trade)
        assert visible_applications(portal, "approver1") == []
        transition(portal, authorization, "reinstate")
        assert can_view(portal, "approver1", trade)
        assert visible_applications(portal, "approver1") == [trade.getId()]
        transition(portal, authorization, "revoke", comment="严重违纪")
        assert not can_view(portal, "approver1", trade)
        assert visible_applications(portal, "approver1") == []

    def test_renewal_gives_access_for_the_new_period_only(
        self, portal, approvers, two_applications, clock
    ):
        trade, _ = two_applications
        current = approvers["approver1"]
        with api.env.adopt_roles(["Manager"]):
            successor = renew(current)
        successor.last_appraisal = "excellent"
        successor.last_training_date = date(2026, 1, 1)
        graded(portal, successor.approver, 2026)
        grant(portal, successor)
        transition(portal, current, "revoke", comment="提前终止本期授权")
        clock("2026-12-15")
        assert not can_view(portal, "approver1", trade)
        clock("2027-01-04")
        assert can_view(portal, "approver1", trade)
        assert transitions_for(portal, "approver1", trade) == ["accept"]
        clock("2028-01-01")
        assert not can_view(portal, "approver1", trade)


class TestAcceptedBy:
    def test_only_the_accepting_approver_goes_on(self, portal, approvers, two_applications):
        trade, _ = two_applications
        assert can_view(portal, "approver4", trade)
        act(portal, trade, "accept", "approver1")
        assert trade.accepted_by == "approver1"
        assert not can_view(portal, "approver4", trade)
        assert visible_applications(portal, "approver4") == []
        with pytest.raises(WorkflowException):
            act(portal, trade, "request_supplement", "approver4", comment="缺材料")
        assert api.content.get_state(trade) == "accepted"


class TestSecurityReindexing:
    def test_scope_change_reindexes_only_affected_applications(
        self, portal, approvers, two_applications
    ):
        trade, _ = two_applications
        authorization = approvers["approver1"]
        assert bring_security_in_line(authorization) == 1
        # An active authorisation is only narrowed (widening needs a new one, four eyes).
        login(portal, "workgroup")
        authorization.scope_categories = []
        authorization.scope_matters = ["XK-T-001"]
        notify(ObjectModifiedEvent(authorization))
        logout()
        assert visible_applications(portal, "approver1") == [trade.getId()]
        login(portal, "workgroup")
        authorization.scope_matters = []
        notify(ObjectModifiedEvent(authorization))
        logout()
        assert visible_applications(portal, "approver1") == []
        # Nothing names approver1 any more: the trade application is done.
        assert bring_security_in_line(authorization) == 0
