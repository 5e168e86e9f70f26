"""What the working group's dashboard asks about the roster: expiring and lapsed authorisations."""

from dateutil.relativedelta import relativedelta
from plone import api
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.rules.authorization import ACTIVE
from zhangdian.approval.rules.authorization import authorizations_of
from zhangdian.approval.rules.authorization import is_current


DASHBOARD_WINDOW_DAYS = 30


def expiring_soon(at=None, days=DASHBOARD_WINDOW_DAYS):
    """Active authorisations whose last day falls within the next `days` days."""
    day = bureau_day(at)
    brains = api.content.find(
        portal_type="ApproverAuthorization",
        review_state=ACTIVE,
        valid_until={"query": (day, day + relativedelta(days=days)), "range": "min:max"},
        sort_on="valid_until",
        unrestricted=True,
    )
    return [brain._unrestrictedGetObject() for brain in brains]


def approvers_without_current_authorization(at=None):
    """User ids that held an authorisation at some time but hold no current one now."""
    brains = api.content.find(portal_type="ApproverAuthorization", unrestricted=True)
    approvers = sorted({brain.approver for brain in brains if brain.approver})
    return [
        userid
        for userid in approvers
        if not any(is_current(a, at) for a in authorizations_of(userid))
    ]


def is_authorized_somewhere(userid, at=None):
    """True when the user holds any current authorisation (the queue is for them)."""
    brains = api.content.find(
        portal_type="ApproverAuthorization",
        approver=userid,
        review_state="active",
        unrestricted=True,
    )
    return any(is_current(brain._unrestrictedGetObject(), at) for brain in brains)
