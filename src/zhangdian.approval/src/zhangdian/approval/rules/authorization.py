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
from zhangdian.approval.clock import bureau_day
from zope.i18nmessageid import Message


ACTIVE = "active"
# An authorisation is granted for one year at most (到期后重新授权).
MAX_TERM = relativedelta(years=1)
# The approver must have worked in the approval department this long before a grant: its own
# rule, which happens to have the term's length today.
MIN_SERVICE = relativedelta(years=1)
EXAM_PASS_MARK = 60

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
    if joined is None or joined + MIN_SERVICE > day:
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
