"""The one place that answers: may approver U decide matter M at time T, with which certificate?

Workflow guards, the REST API, views and signing all call `may_decide`; nothing else
decides who may act on an application. An authorisation counts only while it is in the
state `active` *and* the day lies within [valid_from, valid_until], so expiry takes effect
the moment the period ends, whether or not the expiry command has run yet.

Separation of duties (单独配备审批系统账号, 不可与其他业务账号混用): an approval account is a user,
never a group, and holds no other business role (BUSINESS_ROLES, globally or through a
group). This is checked when an authorisation is proposed and confirmed *and* every time
`may_decide` is asked. When the working group later gives an approver one of those roles,
the group change is not refused (PAS and the user and group forms have no veto, and a
bureau must be able to move a person to another post at once); instead the authorisation
stops counting at that moment (reason `mixed_account`) and the roster says so, until the
role is taken away again or the authorisation is revoked.

Four eyes (maker–checker) on the roster: nobody creates, proposes, confirms, widens or
renews an authorisation for their own account; a grant is proposed by one member of the
working group and confirmed by a different one (`may_propose`, `may_confirm`); the approver
of an authorisation never changes, and once it has left `pending` its qualification is
frozen and its scope and term can only shrink (`change_problem`). Widening goes through a
new authorisation, which is proposed and confirmed like any other; narrowing, suspension
and revocation stay one-person and immediate.
"""

from dataclasses import dataclass
from dateutil.relativedelta import relativedelta
from plone import api
from zhangdian.approval import _
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.roster.grades import grades_of
from zhangdian.approval.settings import qualification_setting
from zhangdian.approval.vocabularies import APPRAISAL_TITLES
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest
from zope.i18nmessageid import Message


ACTIVE = "active"
PENDING = "pending"
PROPOSED = "proposed"
# Roles an approval account must not hold (单独配备审批系统账号): working group, oversight, admins.
BUSINESS_ROLES = frozenset(
    ("ApprovalAdministrator", "Supervisor", "Auditor", "Site Administrator", "Manager")
)
# Principals that are groups in every Plone site, whether or not portal_groups lists them.
VIRTUAL_GROUPS = frozenset(("AuthenticatedUsers", "Anonymous", "Authenticated"))
QUALIFICATION_FIELDS = (
    "joined_department",
    "established_post",
    "enforcement_certificate_no",
    "enforcement_certificate_expiry",
    "exam_date",
    "exam_score",
    "exam_certificate_no",
    "training_records",
    "last_training_date",
    "last_appraisal",
)
# What an authorisation says and the checker vetted: kept on the object to see any change.
TERMS = ("approver", "scope_categories", "scope_matters", "valid_from", "valid_until")
RECORDED_FIELDS = TERMS + QUALIFICATION_FIELDS
# An authorisation is granted for one year at most (到期后重新授权).
MAX_TERM = relativedelta(years=1)
# The appraisal results from best to worst: a threshold admits it and everything above it.
APPRAISAL_ORDER = ("excellent", "competent", "basically_competent", "incompetent")

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
    "enforcement_expired": _(
        "decide_enforcement_expired",
        default="Your administrative law-enforcement certificate (行政执法证) has expired: "
        "your authorisation does not count until the working group records a valid one on "
        "a new authorisation.",
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
    "recused": _(
        "decide_recused",
        default="You submitted this application or it names you as the applicant: you must "
        "not act on it (回避).",
    ),
    # Dedicated approval accounts (单独配备审批系统账号, 不可与其他业务账号混用).
    "mixed_account": _(
        "decide_mixed_account",
        default="This account also holds another business role (working group, supervisor, "
        "auditor or administrator): an approval account must be used for approval only, so "
        "its authorisation does not count.",
    ),
    "not_a_user": _(
        "decide_not_a_user",
        default="An authorisation is held by one person's own account, never by a group or "
        "an unknown account.",
    ),
    "approver_is_applicant": _(
        "decide_approver_is_applicant",
        default="This account has submitted applications: an applicant's account cannot be "
        "an approval account.",
    ),
    # Four eyes on the roster (maker–checker).
    "own_authorization": _(
        "decide_own_authorization",
        default="Nobody creates, proposes, confirms, widens or renews an authorisation for "
        "their own account.",
    ),
    "same_as_proposer": _(
        "decide_same_as_proposer",
        default="You proposed this authorisation: a different member of the working group "
        "must confirm it (maker–checker).",
    ),
    "not_proposed": _(
        "decide_not_proposed",
        default="An authorisation is granted only after it has been proposed.",
    ),
    "approver_fixed": _(
        "decide_approver_fixed",
        default="The approver of an authorisation never changes: prepare a new authorisation "
        "for the other account.",
    ),
    "qualification_frozen": _(
        "decide_qualification_frozen",
        default="The qualification of an authorisation is frozen once it has been proposed: "
        "changes go through a new authorisation.",
    ),
    "widening": _(
        "decide_widening",
        default="The scope or term of a proposed or granted authorisation can only be "
        "narrowed: a wider scope or a longer term needs a new authorisation, proposed and "
        "confirmed by two members of the working group.",
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
    """'current', 'not_yet_valid', 'expired' or 'enforcement_expired' on `at`'s day."""
    day = bureau_day(at)
    if day < authorization.valid_from:
        return "not_yet_valid"
    if day > authorization.valid_until:
        return "expired"
    enforcement = getattr(authorization, "enforcement_certificate_expiry", None)
    if enforcement is not None and day > enforcement:
        return "enforcement_expired"
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


@dataclass(frozen=True)
class Account:
    """What the rules need to know about a principal: user or not, roles, name, e-mail."""

    userid: str
    is_user: bool
    roles: frozenset = frozenset()
    fullname: str = ""
    email: str = ""


_ACCOUNTS_KEY = "zhangdian.approval.accounts"


def _accounts():
    """This request's memory of accounts (a throwaway dict outside a request)."""
    request = getRequest()
    return IAnnotations(request, {}).setdefault(_ACCOUNTS_KEY, {}) if request else {}


def forget_accounts():
    """Drop the accounts this request remembers (a role or group changed)."""
    request = getRequest()
    if request is not None:
        IAnnotations(request, {}).pop(_ACCOUNTS_KEY, None)


def is_group(principal_id):
    """True for a group id: one of portal_groups or a virtual group such as AuthenticatedUsers."""
    if principal_id in VIRTUAL_GROUPS:
        return True
    return api.portal.get_tool("portal_groups").getGroupById(principal_id) is not None


def account(userid) -> Account:
    """The account behind `userid`, remembered for the request (local roles ask per object)."""
    cache = _accounts()
    if userid not in cache:
        cache[userid] = _account(userid)
    return cache[userid]


def _account(userid):
    """account, looked up."""
    if not userid or is_group(userid):
        return Account(userid or "", False)
    user = api.user.get(userid=userid)
    if user is None:
        return Account(userid, False)
    # getRoles includes the roles the user has through their groups.
    return Account(
        userid,
        True,
        frozenset(user.getRoles()),
        user.getProperty("fullname") or "",
        user.getProperty("email") or "",
    )


def account_problem(userid):
    """'not_a_user' or 'mixed_account' when `userid` cannot hold an authorisation; else None."""
    facts = account(userid)
    if not facts.is_user:
        return "not_a_user"
    if facts.roles & BUSINESS_ROLES:
        return "mixed_account"
    return None


def may_decide(userid, matter, at=None) -> Verdict:
    """May `userid` decide `matter` at `at` (default now)? Returns a Verdict with the reason."""
    if not matter.independent_approval:
        return Verdict(False, "not_independent")
    authorizations = authorizations_of(userid)
    if not authorizations:
        return Verdict(False, "no_authorization")
    problem = account_problem(userid)
    if problem:
        return Verdict(False, problem, authorizations[0])
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
    """The reasons the authorisation cannot be granted at `at`; empty when it can (资格条件)."""
    day = bureau_day(at)
    problems = []
    joined = authorization.joined_department
    service = relativedelta(months=qualification_setting("minimum_service_months"))
    if joined is None or joined + service > day:
        problems.append(
            _(
                "qualification_in_post",
                default="The approver must have worked in the approval department for at "
                "least ${months} months (joined: ${joined}).",
                mapping={
                    "joined": joined.isoformat() if joined else "—",
                    "months": qualification_setting("minimum_service_months"),
                },
            )
        )
    if not getattr(authorization, "established_post", False):
        problems.append(
            _(
                "qualification_established_post",
                default="The approver must hold an established post and be in service (在编在职).",
            )
        )
    enforcement = getattr(authorization, "enforcement_certificate_expiry", None)
    if not getattr(authorization, "enforcement_certificate_no", None) or enforcement is None:
        problems.append(
            _(
                "qualification_enforcement_missing",
                default="The approver's administrative law-enforcement certificate (行政执法证) "
                "must be on record with its number and expiry date.",
            )
        )
    elif enforcement < day:
        problems.append(
            _(
                "qualification_enforcement_expired",
                default="The approver's law-enforcement certificate expired on ${day}.",
                mapping={"day": enforcement.isoformat()},
            )
        )
    mark = qualification_setting("exam_pass_mark")
    if (
        authorization.exam_date is None
        or authorization.exam_date > day
        or (authorization.exam_score or 0) < mark
        or not authorization.exam_certificate_no
    ):
        problems.append(
            _(
                "qualification_exam",
                default="The approver has no passed qualification exam on record (date, score "
                "of at least ${mark} and certificate number).",
                mapping={"mark": mark},
            )
        )
    trained = getattr(authorization, "last_training_date", None)
    months = qualification_setting("training_within_months")
    if trained is None or trained > day or trained + relativedelta(months=months) < day:
        problems.append(
            _(
                "qualification_training",
                default="The approver's latest recorded training must lie within the last "
                "${months} months (定期参加业务培训; latest: ${day}).",
                mapping={"months": months, "day": trained.isoformat() if trained else "—"},
            )
        )
    if not appraisal_qualifies(authorization.last_appraisal):
        problems.append(
            _(
                "qualification_appraisal_grade",
                default="The latest appraisal must be on record and at least ${grade} "
                "(日常考核优秀).",
                mapping={"grade": appraisal_title(qualification_setting("minimum_appraisal"))},
            )
        )
    problems.extend(grade_problems(authorization))
    if not (authorization.scope_categories or authorization.scope_matters):
        problems.append(
            _("qualification_scope", default="The authorisation covers no category or matter.")
        )
    if period_state(authorization, day) == "expired":
        problems.append(
            _("qualification_period_over", default="The authorisation period is already over.")
        )
    return problems


def grade_problems(authorization):
    """What the annual grades say against this period: 不称职 last year, 取消资格, none yet."""
    approver = authorization.approver
    # The year the approver last served in before this period: the one its grant reads.
    last_year = (authorization.valid_from - relativedelta(days=1)).year
    grades = grades_of(approver)
    withdrawn = sorted(year for year, grade in grades.items() if grade == "disqualified")
    withdrawn = [year for year in withdrawn if year <= last_year]
    if withdrawn:
        return [
            _(
                "qualification_grade_withdrawn",
                default="The approver's qualification was withdrawn in the ${year} assessment "
                "(取消资格): no new authorisation.",
                mapping={"year": str(withdrawn[-1])},
            )
        ]
    if grades.get(last_year) == "incompetent":
        return [
            _(
                "qualification_grade_incompetent",
                default="The approver was graded incompetent (不称职) in the ${year} "
                "assessment: the authorisation is not renewed.",
                mapping={"year": str(last_year)},
            )
        ]
    if getattr(authorization, "predecessor", None) and last_year not in grades:
        return [
            _(
                "qualification_grade_missing",
                default="A renewal is granted on the ${year} assessment: record the approver's "
                "grade for ${year} on the annual assessment page first.",
                mapping={"year": str(last_year)},
            )
        ]
    return []


def appraisal_qualifies(result):
    """True when an appraisal result reaches the plan's threshold."""
    threshold = qualification_setting("minimum_appraisal")
    if result not in APPRAISAL_ORDER or threshold not in APPRAISAL_ORDER:
        return False
    return APPRAISAL_ORDER.index(result) <= APPRAISAL_ORDER.index(threshold)


def appraisal_title(result):
    """The translatable title of an appraisal result."""
    return APPRAISAL_TITLES.get(result, result)


def applications_submitted_by(userid):
    """How many applications `userid` submitted or is named in as the applicant (at a grant).

    Counter registrations (窗口受理) are an approver's official act for a walk-in applicant,
    not an application of theirs; an application naming the person's full name is.
    """
    facts = account(userid)
    brains = api.content.find(portal_type="Application", Creator=userid, unrestricted=True)
    submitted = {
        brain.UID
        for brain in brains
        if getattr(brain._unrestrictedGetObject(), "channel", "online") != "counter"
    }
    if facts.fullname:
        # applicant_name is a metadata column, not an index: read from the brains, at grants only.
        brains = api.content.find(portal_type="Application", unrestricted=True)
        submitted.update(brain.UID for brain in brains if brain.applicant_name == facts.fullname)
    return len(submitted)


def approver_problem(approver):
    """Why `approver` cannot be granted an authorisation (a reason of REASONS), or None."""
    problem = account_problem(approver)
    if problem:
        return problem
    if applications_submitted_by(approver):
        return "approver_is_applicant"
    return None


def may_create(userid, approver) -> Verdict:
    """May `userid` create an authorisation for `approver`? Never their own, never a group."""
    if approver == userid:
        return Verdict(False, "own_authorization")
    if not approver or is_group(approver):
        return Verdict(False, "not_a_user")
    return Verdict(True, "allowed")


def may_propose(userid, authorization) -> Verdict:
    """May `userid` propose the grant of `authorization` (the maker)?"""
    if authorization.approver == userid:
        return Verdict(False, "own_authorization", authorization)
    problem = approver_problem(authorization.approver)
    if problem:
        return Verdict(False, problem, authorization)
    return Verdict(True, "allowed", authorization)


def may_confirm(userid, authorization) -> Verdict:
    """May `userid` confirm (grant) the proposed `authorization` (the checker)?"""
    if authorization.approver == userid:
        return Verdict(False, "own_authorization", authorization)
    if api.content.get_state(authorization) != PROPOSED or not authorization.proposed_by:
        return Verdict(False, "not_proposed", authorization)
    if authorization.proposed_by == userid:
        return Verdict(False, "same_as_proposer", authorization)
    problem = approver_problem(authorization.approver)
    if problem:
        return Verdict(False, problem, authorization)
    return Verdict(True, "allowed", authorization)


def recorded_terms(authorization):
    """The values of the recorded fields as they are now (compared by `change_problem`)."""
    terms = {name: getattr(authorization, name, None) for name in RECORDED_FIELDS}
    for name in ("scope_categories", "scope_matters"):
        terms[name] = sorted(terms[name] or ())
    return terms


def _widens(before, after):
    """True when `after` covers something `before` did not: more scope or a longer term."""
    old_categories = set(before["scope_categories"] or ())
    if set(after["scope_categories"] or ()) - old_categories:
        return True
    # A matter named one by one that its category covered already is no wider.
    added = set(after["scope_matters"] or ()) - set(before["scope_matters"] or ())
    if added:
        brains = api.content.find(
            portal_type="Matter", matter_code=sorted(added), unrestricted=True
        )
        covered = {brain.matter_code for brain in brains if brain.matter_category in old_categories}
        if added - covered:
            return True
    earlier = (
        after["valid_from"] and before["valid_from"] and after["valid_from"] < before["valid_from"]
    )
    later = (
        after["valid_until"]
        and before["valid_until"]
        and after["valid_until"] > before["valid_until"]
    )
    return bool(earlier or later)


def change_problem(userid, authorization, before, after) -> Verdict:
    """May `userid` change the recorded fields of `authorization` from `before` to `after`?

    The approver never changes; nobody changes their own authorisation; once proposed, the
    qualification is frozen and scope and term can only shrink.
    """
    changed = {name for name in RECORDED_FIELDS if before.get(name) != after.get(name)}
    if not changed:
        return Verdict(True, "allowed", authorization)
    if "approver" in changed:
        return Verdict(False, "approver_fixed", authorization)
    if before.get("approver") == userid:
        return Verdict(False, "own_authorization", authorization)
    if api.content.get_state(authorization) == PENDING:
        return Verdict(True, "allowed", authorization)
    if changed & set(QUALIFICATION_FIELDS):
        return Verdict(False, "qualification_frozen", authorization)
    if _widens(before, after):
        return Verdict(False, "widening", authorization)
    return Verdict(True, "allowed", authorization)
