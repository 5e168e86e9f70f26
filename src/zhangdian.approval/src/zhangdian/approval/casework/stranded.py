"""Open cases nobody may act on: no current authorisation covers the matter, or the accepting
approver's has lapsed (the working group must authorise someone or reassign)."""

from plone import api
from zhangdian.approval.rules.application import OPEN_STATES
from zhangdian.approval.rules.application import may_act
from zhangdian.approval.rules.authorization import ACTIVE
from zhangdian.approval.rules.authorization import covers
from zhangdian.approval.rules.authorization import is_current


def _current_authorizations(at=None):
    brains = api.content.find(
        portal_type="ApproverAuthorization", review_state=ACTIVE, unrestricted=True
    )
    return [a for a in (b._unrestrictedGetObject() for b in brains) if is_current(a, at)]


def stranded_cases(at=None):
    """Open applications that no approver may act on at `at` (default now), oldest first."""
    current = _current_authorizations(at)
    brains = api.content.find(
        portal_type="Application",
        review_state=list(OPEN_STATES),
        sort_on="created",
        unrestricted=True,
    )
    stranded = []
    for brain in brains:
        application = brain._unrestrictedGetObject()
        if application.accepted_by:
            # Only the accepting approver may go on with an accepted case.
            if not may_act(application.accepted_by, application, at).allowed:
                stranded.append(application)
            continue
        matter = application.matter_object()
        if matter is None or not any(
            may_act(a.approver, application, at).allowed for a in current if covers(a, matter)
        ):
            stranded.append(application)
    return stranded
