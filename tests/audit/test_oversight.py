"""Oversight: auditors read everything and change nothing; supervisors read and check."""

from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from Products.CMFCore.WorkflowCore import WorkflowException
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import act
from tests.helpers.approval import approve_as
from tests.helpers.approval import bind
from tests.helpers.approval import complete_checklist
from tests.helpers.approval import configure_signing
from tests.helpers.approval import decide
from tests.helpers.approval import register_application_as
from tests.helpers.approval import transition
from zExceptions import Unauthorized
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.signing.decision import SignatureRefused
from zhangdian.approval.signing.decision import prepare_signature

import pytest
import requests
import transaction


WRITE_PERMISSIONS = (
    "Modify portal content",
    "Add portal content",
    "Delete objects",
    "zhangdian.approval: Edit Application Data",
    "zhangdian.approval: Decide Application",
    "zhangdian.approval: Withdraw Application",
    "zhangdian.approval: Add SubmittedMaterial",
    "zhangdian.approval: Manage Authorizations",
    "zhangdian.approval: Manage Matter List",
    "zhangdian.approval: Add SpotCheck",
    "zhangdian.approval: Add Callback",
    "zhangdian.approval: Add Application",
)


@pytest.fixture
def cases(portal, keys, submit, clock):
    """One decided and one accepted application of approver1."""
    clock("2026-03-02")
    decided = submit("XK-T-001")
    act(portal, decided, "accept", "approver1")
    complete_checklist(decided)
    decide(portal, decided, "approve", "approver1")
    accepted = submit("XK-T-001")
    act(portal, accepted, "accept", "approver1")
    complete_checklist(accepted)
    return decided, accepted


def held(portal, userid, obj, names):
    """The subset of `names` that `userid` holds on `obj`."""
    login(portal, userid)
    try:
        return {name for name in names if api.user.has_permission(name, obj=obj)}
    finally:
        logout()


def test_auditor_reads_everything_and_changes_nothing(portal, cases, approvers):
    decided, accepted = cases
    places = [
        portal,
        portal["matters"],
        portal["approvers"],
        portal["applications"],
        decided,
        accepted,
        approvers["approver1"],
    ]
    for place in places:
        assert held(portal, "auditor", place, {"View"}) == {"View"}, place
        assert held(portal, "auditor", place, WRITE_PERMISSIONS) == set(), place
    login(portal, "auditor")
    try:
        workflow = api.portal.get_tool("portal_workflow")
        for obj in (decided, accepted, approvers["approver1"]):
            assert workflow.getTransitionsFor(obj) == ()
        with pytest.raises(SignatureRefused):
            prepare_signature(accepted, "approve", "")
    finally:
        logout()
    for name in ("approve", "refuse", "request_supplement", "withdraw"):
        with pytest.raises((WorkflowException, Unauthorized)):
            transition(portal, accepted, name, userid="auditor", comment="x")
    for name in ("suspend", "revoke"):
        with pytest.raises((WorkflowException, Unauthorized)):
            transition(portal, approvers["approver1"], name, userid="auditor", comment="x")
    assert api.content.get_state(accepted) == "accepted"
    assert api.content.get_state(approvers["approver1"]) == "active"


def test_supervisor_reads_and_runs_spot_checks_but_decides_nothing(portal, cases):
    decided, accepted = cases
    assert held(portal, "supervisor", decided, {"View"}) == {"View"}
    assert held(portal, "supervisor", portal["approvers"], {"zhangdian.approval: Add SpotCheck"})
    login(portal, "supervisor")
    try:
        check = api.content.create(
            container=portal["approvers"],
            type="SpotCheck",
            id="q1",
            title="Q1",
            quarter="2026-Q1",
            share=0.2,
        )
        assert check.sample == {"approver1": [decided.number]}
        with pytest.raises(SignatureRefused):
            prepare_signature(accepted, "approve", "")
    finally:
        logout()
    assert held(portal, "supervisor", accepted, {"zhangdian.approval: Decide Application"}) == set()


def test_oversight_reads_of_decided_cases_are_journalled(
    functional_portal, functional_granted, tokens, clock
):
    clock("2026-03-02")
    configure_signing(tokens)
    bind(functional_granted, tokens.certs["approver1"])
    application = register_application_as(functional_portal, "member", "XK-T-001")
    approve_as(functional_portal, application)
    transaction.commit()
    before = journal().length
    page = requests.get(application.absolute_url(), auth=("auditor", PASSWORD), timeout=30)
    assert page.status_code == 200
    transaction.begin()
    log = journal()
    assert log.length == before + 1
    entry = log.entries[log.length]
    assert (entry["action"], entry["actor"], entry["target"]) == (
        "application.read",
        "auditor",
        application.number,
    )
    requests.get(application.absolute_url(), auth=("member", PASSWORD), timeout=30)
    transaction.begin()
    assert journal().length == before + 1  # the applicant's own reads are not oversight
    rest = requests.get(
        application.absolute_url(),
        auth=("supervisor", PASSWORD),
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert rest.json()["review_state"] == "approved"
    transaction.begin()
    log = journal()
    assert (log.length, log.entries[log.length]["actor"]) == (before + 2, "supervisor")
