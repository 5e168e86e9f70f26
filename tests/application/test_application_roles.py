"""Every application transition tried by every kind of user: who may, and that others change nothing."""

from plone import api
from plone.app.testing import logout
from Products.CMFCore.WorkflowCore import WorkflowException
from tests.helpers.approval import PIN
from tests.helpers.approval import act
from tests.helpers.approval import complete_checklist
from tests.helpers.approval import decide
from zExceptions import Unauthorized
from zhangdian.approval.signing.decision import SignatureRefused
from zhangdian.approval.signing.decision import sign_with_server_token

import pytest


ACTORS = (
    "approver1",  # authorised for 经贸商事, the matter's category
    "approver2",  # authorised for 社会事务 only
    "approver4",  # authorised for 经贸商事 too: another approver in scope
    "member",  # the applicant
    None,  # anonymous
    "workgroup",  # ApprovalAdministrator
    "auditor",
)

# transition → (state to bring the application to first, actors allowed to fire it)
RULES = {
    "accept": ("submitted", {"approver1", "approver4"}),
    "request_supplement": ("accepted", {"approver1"}),
    "resubmit": ("awaiting_supplement", {"member"}),
    "approve": ("accepted", {"approver1"}),
    "refuse": ("accepted", {"approver1"}),
    "withdraw": ("submitted", {"member"}),
}
COMMENTS = {"request_supplement": "请补充营业执照副本", "refuse": "经营场所不符合条件"}
SNAPSHOT = ("accepted_by", "due_date", "decided_by", "decision", "supplement_notices")


def bring_to(portal, application, state):
    """Move a fresh application to `state` the regular way (accepted by approver1)."""
    if state == "submitted":
        return
    act(portal, application, "accept", "approver1")
    complete_checklist(application)
    if state == "awaiting_supplement":
        act(portal, application, "request_supplement", "approver1", comment="请补充申请书")


def fire(portal, application, name, userid):
    """Fire `name` as `userid` (None: anonymous); decisions are signed on the server token."""
    if name in ("approve", "refuse"):
        if userid is None:
            logout()
            sign_with_server_token(application, name, COMMENTS.get(name, ""), PIN)
        else:
            decide(portal, application, name, userid, COMMENTS.get(name, ""))
        return
    if userid is not None:
        act(portal, application, name, userid, comment=COMMENTS.get(name, ""))
        return
    logout()
    api.portal.get_tool("portal_workflow").doActionFor(application, name)


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a or "anonymous")
@pytest.mark.parametrize("name", list(RULES))
def test_transition_by_actor(portal, keys, submit, clock, name, actor):
    """Allowed actors move the application; anyone else is refused and nothing changes."""
    clock("2026-03-02")
    application = submit("XK-T-001")
    state, allowed = RULES[name]
    bring_to(portal, application, state)
    before = {attr: getattr(application, attr) for attr in SNAPSHOT}
    if actor in allowed:
        fire(portal, application, name, actor)
        assert api.content.get_state(application) != state
        return
    with pytest.raises((WorkflowException, Unauthorized, SignatureRefused)):
        fire(portal, application, name, actor)
    assert api.content.get_state(application) == state
    assert {attr: getattr(application, attr) for attr in SNAPSHOT} == before
