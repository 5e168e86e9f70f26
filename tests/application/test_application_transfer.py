"""转为一般程序: the accepting approver moves a case off the one-person path, with the reason."""

from plone import api
from Products.CMFCore.WorkflowCore import WorkflowException
from tests.helpers.approval import act
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.casework.public import public_status
from zhangdian.approval.casework.queue import applications_for_queue
from zhangdian.approval.rules.deadlines import deadline_status

import pytest


REASON = "利害关系人提出异议，需要听证"


@pytest.fixture
def accepted(portal, approvers, submit, clock):
    """XK-T-001 accepted by approver1 on Mon 2026-03-02 (due 03-09)."""
    clock("2026-03-02")
    application = submit("XK-T-001")
    act(portal, application, "accept", "approver1")
    return application


def transfer(portal, application, userid="approver1", comment=REASON):
    act(portal, application, "transfer_to_ordinary", userid, comment=comment)


class TestTransfer:
    def test_the_case_leaves_the_queue_and_the_clock(self, portal, accepted, clock):
        clock("2026-03-04")
        transfer(portal, accepted)
        assert api.content.get_state(accepted) == "transferred"
        assert (accepted.transferred_by, accepted.transfer_reason) == ("approver1", REASON)
        assert accepted.due_date is None and accepted.working_days_used == 2
        assert deadline_status(accepted) is None
        assert accepted not in applications_for_queue("approver1")

    def test_journalled_with_the_reason(self, portal, accepted):
        transfer(portal, accepted)
        entry = journal().entries[journal().length]
        assert (entry["action"], entry["target"], entry["actor"]) == (
            "application.transfer_to_ordinary",
            accepted.number,
            "approver1",
        )
        assert entry["after"] == {"state": "transferred", "comment": REASON}

    def test_the_public_status_says_so(self, portal, accepted):
        transfer(portal, accepted)
        status = public_status(accepted.number, accepted.query_code)
        assert status["review_state"] == "transferred"
        assert status["transfer_reason"] == REASON
        assert status["due_date"] is None

    def test_kept_afterwards(self, portal, accepted):
        """A transferred case is a kept record: nobody reopens or decides it here."""
        transfer(portal, accepted)
        workflow = api.portal.get_tool("portal_workflow")
        with api.env.adopt_roles(["Manager"]):
            assert [t["id"] for t in workflow.getTransitionsFor(accepted)] == []


class TestRefused:
    def test_without_a_reason(self, portal, accepted):
        with pytest.raises(WorkflowException, match=r"interested party|利害关系人"):
            transfer(portal, accepted, comment="  ")
        assert api.content.get_state(accepted) == "accepted"

    @pytest.mark.parametrize(
        "userid", ["approver4", "workgroup", "siteadmin", "supervisor", "member"]
    )
    def test_by_anyone_but_the_accepting_approver(self, portal, accepted, userid):
        """Another approver of the matter, the working group, the site's administrators."""
        before = journal().length
        with pytest.raises(WorkflowException):
            transfer(portal, accepted, userid=userid)
        assert api.content.get_state(accepted) == "accepted"
        assert accepted.transfer_reason is None
        assert journal().length == before

    def test_by_a_manager(self, portal, accepted):
        """Manager holds every permission, yet holds no authorisation: may_act refuses."""
        workflow = api.portal.get_tool("portal_workflow")
        with api.env.adopt_roles(["Manager"]), pytest.raises(WorkflowException):
            workflow.doActionFor(accepted, "transfer_to_ordinary", comment=REASON)
        assert api.content.get_state(accepted) == "accepted"

    def test_not_while_a_supplement_is_awaited(self, portal, accepted):
        """The case is with the applicant: it is transferred once it is back."""
        act(portal, accepted, "request_supplement", "approver1", comment="缺少：营业执照")
        with pytest.raises(WorkflowException):
            transfer(portal, accepted)
        assert api.content.get_state(accepted) == "awaiting_supplement"

    def test_not_before_acceptance(self, portal, approvers, submit):
        application = submit("XK-T-001")
        with pytest.raises(WorkflowException):
            transfer(portal, application)
        assert api.content.get_state(application) == "submitted"
