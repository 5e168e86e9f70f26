"""The one place that answers: may approver U decide matter M at time T, with which certificate?

Workflow guards, the REST API, views and signing all call `may_decide`; nothing else
decides who may act on an application. An authorisation counts only while it is in the
state `active` *and* the day lies within [valid_from, valid_until], so expiry takes effect
the moment the period ends, whether or not the expiry command has run yet.
"""

from dataclasses import dataclass
from dateutil.relativedelta import relativedelta
from plone import api
from zhangdian.approval import _
from zhangdian.approval.certificates import CertificateError
from zhangdian.approval.certificates import check_signing_certificate
from zhangdian.approval.certificates import load_certificate
from zhangdian.approval.certificates import load_trust_anchors
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.content.authorization import EXAM_PASS_MARK
from zhangdian.approval.content.authorization import MAX_TERM
from zhangdian.approval.settings import signing_setting
from zope.i18nmessageid import Message


ACTIVE = "active"
MIN_YEARS_IN_POST = 1

REASONS = {
    "allowed": _("decide_allowed", default="You may decide this matter."),
    "no_authorization": _(
        "decide_no_authorization", default="You hold no authorisation as an independent approver."
    ),
    "not_active": _(
        "decide_not_active",
        default="Your authorisation is not active (it is pending, suspended, revoked or expired).",
    ),
    "not_yet_valid": _("decide_not_yet_valid", default="Your authorisation has not started yet."),
    "expired": _(
        "decide_expired",
        default="Your authorisation has expired; it must be renewed (到期后重新授权).",
    ),
    "out_of_scope": _(
        "decide_out_of_scope", default="This matter is outside the scope of your authorisation."
    ),
    "not_independent": _(
        "decide_not_independent",
        default="This matter is not on the independent-approval list: it must be decided "
        "through the regular multi-person process.",
    ),
    # Reasons of applications.may_act, which asks may_decide only once these are settled.
    "accepted_by_other": _(
        "decide_accepted_by_other",
        default="Another approver accepted this application; only they may review and decide "
        "it (受理审核合一).",
    ),
    "unknown_matter": _(
        "decide_unknown_matter", default="The matter of this application no longer exists."
    ),
}


@dataclass(frozen=True)
class Verdict:
    """The answer of `may_decide`: whether, why (not), under which authorisation and key."""

    allowed: bool
    reason: str
    authorization: object = None

    @property
    def message(self) -> Message:
        """The translatable explanation of the verdict."""
        return REASONS[self.reason]

    @property
    def certificate_fingerprint(self):
        """The SHA-256 fingerprint of the certificate bound to the covering authorisation."""
        return getattr(self.authorization, "certificate_fingerprint", None)


def authorizations_of(userid):
    """Every authorisation of a user, newest period first, whoever is asking."""
    brains = api.content.find(
        portal_type="ApproverAuthorization",
        approver=userid,
        sort_on="valid_from",
        sort_order="descending",
        unrestricted=True,
    )
    return [brain._unrestrictedGetObject() for brain in brains]


def period_state(authorization, at=None):
    """'current', 'not_yet_valid' or 'expired' for the day of `at`, ignoring the workflow."""
    day = bureau_day(at)
    if day < authorization.valid_from:
        return "not_yet_valid"
    if day > authorization.valid_until:
        return "expired"
    return "current"


def is_current(authorization, at=None):
    """True while the authorisation is active and `at` lies within its period."""
    return (
        api.content.get_state(authorization) == ACTIVE
        and period_state(authorization, at) == "current"
    )


def covers(authorization, matter):
    """True when the authorisation's scope includes the matter (its category or its code)."""
    category = matter.aq_parent.getId()
    return category in (authorization.scope_categories or ()) or matter.code in (
        authorization.scope_matters or ()
    )


def may_decide(userid, matter, at=None) -> Verdict:
    """May `userid` decide `matter` at `at` (default now)? Returns a Verdict with the reason."""
    if not matter.independent_approval:
        return Verdict(False, "not_independent")
    authorizations = authorizations_of(userid)
    if not authorizations:
        return Verdict(False, "no_authorization")
    in_scope = [a for a in authorizations if covers(a, matter)]
    for authorization in in_scope:
        if is_current(authorization, at):
            return Verdict(True, "allowed", authorization)
    if not in_scope:
        return Verdict(False, "out_of_scope")
    # Explain with the most recent authorisation that would have covered the matter.
    latest = in_scope[0]
    if api.content.get_state(latest) != ACTIVE:
        return Verdict(False, "not_active", latest)
    return Verdict(False, period_state(latest, at), latest)


def qualification_problems(authorization, at=None):
    """The reasons the authorisation cannot be granted at `at`; empty when it can."""
    day = bureau_day(at)
    problems = []
    joined = authorization.joined_department
    if joined is None or joined + MAX_TERM * MIN_YEARS_IN_POST > day:
        problems.append(
            _(
                "qualification_in_post",
                default="The approver must have worked in the approval department for at "
                "least one year (joined: ${joined}).",
                mapping={"joined": joined.isoformat() if joined else "—"},
            )
        )
    if (
        authorization.exam_date is None
        or authorization.exam_date > day
        or (authorization.exam_score or 0) < EXAM_PASS_MARK
        or not authorization.exam_certificate_no
    ):
        problems.append(
            _(
                "qualification_exam",
                default="The approver has no passed qualification exam on record (date, score "
                "of at least ${mark} and certificate number).",
                mapping={"mark": EXAM_PASS_MARK},
            )
        )
    if authorization.last_appraisal in (None, "incompetent"):
        problems.append(
            _(
                "qualification_appraisal",
                default="The last annual appraisal must be on record and at least "
                "'basically competent'.",
            )
        )
    if not (authorization.scope_categories or authorization.scope_matters):
        problems.append(
            _("qualification_scope", default="The authorisation covers no category or matter.")
        )
    if period_state(authorization, day) == "expired":
        problems.append(
            _("qualification_period_over", default="The authorisation period is already over.")
        )
    return problems


def next_period_start(authorization):
    """The first day of the period after this authorisation's."""
    return authorization.valid_until + relativedelta(days=1)


def is_renewed(authorization):
    """Whether the authorisation for the next period has been prepared already."""
    start = next_period_start(authorization)
    return any(other.valid_from == start for other in authorizations_of(authorization.approver))


def renew(authorization):
    """Create the successor of an authorisation as a pending draft for the next period.

    Scope, approver, time in post, exam and certificate carry over; the period starts the
    day after the current one ends, and the yearly evidence (appraisal, training) is left
    empty so that it is entered afresh before the grant.
    """
    valid_from = next_period_start(authorization)
    valid_until = valid_from + MAX_TERM - relativedelta(days=1)
    successor = api.content.create(
        container=authorization.aq_parent,
        type="ApproverAuthorization",
        id=f"{authorization.approver}-{valid_from.isoformat()}",
        title=f"{authorization.approver} {valid_from.isoformat()} – {valid_until.isoformat()}",
        approver=authorization.approver,
        scope_categories=list(authorization.scope_categories or ()),
        scope_matters=list(authorization.scope_matters or ()),
        valid_from=valid_from,
        valid_until=valid_until,
        joined_department=authorization.joined_department,
        exam_date=authorization.exam_date,
        exam_score=authorization.exam_score,
        exam_certificate_no=authorization.exam_certificate_no,
        certificate=authorization.certificate,
    )
    successor.predecessor = api.content.get_uuid(authorization)
    for name in (
        "certificate_fingerprint",
        "certificate_subject",
        "certificate_serial",
        "certificate_not_before",
        "certificate_not_after",
    ):
        setattr(successor, name, getattr(authorization, name, None))
    successor.reindexObject()
    return successor


REMINDER_DAYS = (30, 7)


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


def reminders_due(authorization, at=None):
    """The reminder threshold (30 or 7 days) now due for an authorisation, or None."""
    days_left = (authorization.valid_until - bureau_day(at)).days
    sent = getattr(authorization, "reminders_sent", ()) or ()
    due = [days for days in REMINDER_DAYS if 0 <= days_left <= days and days not in sent]
    # After a missed cron run only the nearest reminder goes out, not both at once.
    return min(due) if due else None


def send_reminders(at=None):
    """E-mail approvers and the working group 30 and 7 days before an authorisation ends."""
    sent = []
    brains = api.content.find(
        portal_type="ApproverAuthorization", review_state=ACTIVE, unrestricted=True
    )
    recipients = working_group_emails()
    for brain in brains:
        authorization = brain._unrestrictedGetObject()
        threshold = reminders_due(authorization, at)
        if threshold is None:
            continue
        approver = api.user.get(userid=authorization.approver)
        approver_email = approver.getProperty("email") if approver else ""
        addresses = sorted({*recipients, approver_email} - {""})
        if addresses:
            api.portal.send_email(
                recipient=", ".join(addresses),
                subject=f"【授权到期提醒】{authorization.approver} 的独立审批授权将于 "
                f"{authorization.valid_until.isoformat()} 到期",
                body=reminder_text(authorization, threshold),
            )
        authorization.reminders_sent = (
            *(getattr(authorization, "reminders_sent", ()) or ()),
            threshold,
        )
        sent.append((authorization, threshold))
    return sent


def working_group_emails():
    """E-mail addresses of everyone holding ApprovalAdministrator, directly or by group."""
    addresses = {
        user.getProperty("email") or ""
        for user in api.user.get_users()
        if "ApprovalAdministrator" in api.user.get_roles(user=user)
    }
    return sorted(addresses - {""})


def reminder_text(authorization, days):
    """The body of a reminder, in Chinese with the English below (a bilingual bureau)."""
    until = authorization.valid_until.isoformat()
    return (
        f"{authorization.approver} 的独立审批员授权将于 {until} 到期（剩余不超过 {days} 天）。\n"
        "授权期限为一年，到期后须重新授权：请工作组及时办理续期（资格复核、年度考核结果）。\n"
        f"{authorization.absolute_url()}\n\n"
        f"The independent-approver authorisation of {authorization.approver} ends on {until} "
        f"(in {days} days or less). Please renew it in time.\n"
    )


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


def certificate_message(error):
    """The translatable message of a CertificateError."""
    return error.messages[0]


def trust_anchors(setting="trust_anchors"):
    """The bureau's trust anchors (or another anchor setting's); [] when none is configured."""
    pem = signing_setting(setting)
    return load_trust_anchors(pem) if pem and pem.strip() else []


def vet_certificate(data, approver, at=None):
    """Describe a certificate `approver` may bind now; CertificateError with the reason if not."""
    anchors = trust_anchors()
    if not anchors:
        raise CertificateError("no_trust_anchor")
    info = check_signing_certificate(load_certificate(data), anchors, at)
    brains = api.content.find(
        portal_type="ApproverAuthorization",
        certificate_fingerprint=info.fingerprint_sha256,
        unrestricted=True,
    )
    for brain in brains:
        if brain.approver != approver:
            raise CertificateError("bound_elsewhere", {"approver": brain.approver})
    return info


def bind_certificate(authorization, at=None):
    """Record the details of the authorisation's vetted certificate (or clear them)."""
    blob = authorization.certificate
    info = None if blob is None else vet_certificate(blob.data, authorization.approver, at)
    authorization.certificate_fingerprint = info.fingerprint_sha256 if info else None
    authorization.certificate_subject = info.subject if info else None
    authorization.certificate_serial = info.serial if info else None
    authorization.certificate_not_before = info.not_before if info else None
    authorization.certificate_not_after = info.not_after if info else None
    return info
