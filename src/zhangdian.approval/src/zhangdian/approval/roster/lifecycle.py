"""The life of an authorisation after the grant: renewal for the next period and expiry."""

from dateutil.relativedelta import relativedelta
from plone import api
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.content.authorization import CERTIFICATE_FIELDS
from zhangdian.approval.roster.titles import authorization_title
from zhangdian.approval.rules.authorization import ACTIVE
from zhangdian.approval.rules.authorization import MAX_TERM
from zhangdian.approval.rules.authorization import authorizations_of
from zhangdian.approval.rules.authorization import period_state


def next_period_start(authorization):
    """The first day of the period after this authorisation's."""
    return authorization.valid_until + relativedelta(days=1)


def is_renewed(authorization):
    """Whether the authorisation for the next period has been prepared already."""
    start = next_period_start(authorization)
    return any(other.valid_from == start for other in authorizations_of(authorization.approver))


def renew(authorization):
    """Create the successor of an authorisation as a pending draft for the next period.

    Scope, approver, time in post, post and law-enforcement certificate, exam and signing
    certificate carry over; the period starts the
    day after the current one ends, and the yearly evidence (appraisal, training) is left
    empty so that it is entered afresh before the grant.
    """
    valid_from = next_period_start(authorization)
    valid_until = valid_from + MAX_TERM - relativedelta(days=1)
    successor = api.content.create(
        container=authorization.aq_parent,
        type="ApproverAuthorization",
        id=f"{authorization.approver}-{valid_from.isoformat()}",
        title=authorization_title(authorization.approver, valid_from, valid_until),
        approver=authorization.approver,
        scope_categories=list(authorization.scope_categories or ()),
        scope_matters=list(authorization.scope_matters or ()),
        valid_from=valid_from,
        valid_until=valid_until,
        joined_department=authorization.joined_department,
        established_post=getattr(authorization, "established_post", False),
        enforcement_certificate_no=getattr(authorization, "enforcement_certificate_no", None),
        enforcement_certificate_expiry=getattr(
            authorization, "enforcement_certificate_expiry", None
        ),
        exam_date=authorization.exam_date,
        exam_score=authorization.exam_score,
        exam_certificate_no=authorization.exam_certificate_no,
        certificate=authorization.certificate,
    )
    successor.predecessor = api.content.get_uuid(authorization)
    for name in CERTIFICATE_FIELDS:
        setattr(successor, name, getattr(authorization, name, None))
    successor.reindexObject()
    return successor


def expire_due(at=None):
    """Move active authorisations whose period is over to `expired`; return them.

    Safe to run any number of times (from cron): only active authorisations past their
    last day are touched. `may_decide` already refuses them before this runs.
    """
    day = bureau_day(at)
    workflow = api.portal.get_tool("portal_workflow")
    expired = []
    brains = api.content.find(
        portal_type="ApproverAuthorization",
        review_state=ACTIVE,
        valid_until={"query": day, "range": "max"},
        unrestricted=True,
    )
    for brain in brains:
        authorization = brain._unrestrictedGetObject()
        if period_state(authorization, day) != "expired":
            continue
        with api.env.adopt_roles(["Manager"]):
            workflow.doActionFor(authorization, "expire", comment="到期自动失效")
        expired.append(authorization)
    return expired
