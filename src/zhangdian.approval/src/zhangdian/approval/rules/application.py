"""Who may act on an application, until when it must be decided, and what a decision needs.

`may_act` is the one answer to "may U act on application A now?": the local role provider,
the workflow rules, the queue, the REST API and the signing code all ask it. It adds one
rule to `authorizations.may_decide`: once accepted, only the approver who accepted the
application may go on with it (受理审核合一).
"""

from datetime import date
from plone import api
from zhangdian.approval import _
from zhangdian.approval.casework.decisions import DECISIONS
from zhangdian.approval.casework.decisions import DOCUMENT_VIEW
from zhangdian.approval.casework.decisions import decision_data
from zhangdian.approval.casework.decisions import public_url
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.clock import now
from zhangdian.approval.rules.authorization import Verdict
from zhangdian.approval.rules.authorization import is_current
from zhangdian.approval.rules.authorization import may_decide
from zhangdian.approval.rules.workdays import bureau_calendar
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest
from zope.i18n import translate

import hmac
import uuid


OPEN_STATES = ("submitted", "accepted", "awaiting_supplement")
DECIDED_STATES = ("approved", "refused")
FINAL_STATES = (*DECIDED_STATES, "withdrawn")
DUE_SOON_WORKING_DAYS = 1
ROLE = "IndependentApprover"
_CACHE_KEY = "zhangdian.approval.may_act"
_BORG_CACHE_PREFIX = "borg.localrole.workspace.checkLocalRolesAllowed"


def register_application(folder, **data):
    """Create an application in `folder` as the current user, named after its number."""
    # The number is allocated when the object is added; the add form and REST reach the
    # same name through the INameFromTitle adapter, plone.api needs an id up front.
    application = api.content.create(
        container=folder, type="Application", id=f"new-{uuid.uuid4().hex}", **data
    )
    api.content.rename(obj=application, new_id=application.number.lower())
    return application


def may_act(userid, application, at=None) -> Verdict:
    """May `userid` accept, review or decide `application` at `at` (default now)?"""
    if application.accepted_by and application.accepted_by != userid:
        return Verdict(False, "accepted_by_other")
    matter = application.matter_object()
    if matter is None:
        return Verdict(False, "unknown_matter")
    return may_decide(userid, matter, at)


def _verdicts():
    """This request's memory of verdicts (a throwaway dict outside a request)."""
    request = getRequest()
    return IAnnotations(request, {}).setdefault(_CACHE_KEY, {}) if request else {}


def cached_may_act(userid, application):
    """`may_act` now, remembered for the rest of the request (security checks repeat it)."""
    cache = _verdicts()
    key = (userid, application.matter, application.accepted_by, bureau_day())
    if key not in cache:
        cache[key] = may_act(userid, application)
    return cache[key]


def forget_cached_verdicts():
    """Drop the verdicts and local-role checks this request remembers (something changed)."""
    request = getRequest()
    if request is None:
        return
    annotations = IAnnotations(request, {})
    annotations.pop(_CACHE_KEY, None)
    # borg.localrole remembers checkLocalRolesAllowed per user and object for the request.
    for key in [k for k in annotations if str(k).startswith(_BORG_CACHE_PREFIX)]:
        del annotations[key]


def covering_approvers(application, at=None):
    """User ids whose current authorisation covers the application's matter (for indexing).

    Without `at`, remembered per request by matter and accepting approver: reindexing the
    thousands of open applications of a matter after an authorisation change asks the same
    question for each of them.
    """
    if at is not None:
        return _covering_approvers(application, at)
    cache = _verdicts()
    key = ("covering", application.matter, application.accepted_by, bureau_day())
    if key not in cache:
        cache[key] = _covering_approvers(application, None)
    return cache[key]


def _covering_approvers(application, at):
    """covering_approvers, computed."""
    if application.accepted_by:
        candidates = {application.accepted_by}
    else:
        matter = application.matter_object()
        if matter is None:
            return []
        candidates = set()
        for index, value in (
            ("scope_categories", matter.aq_parent.getId()),
            ("scope_matters", application.matter),
        ):
            brains = api.content.find(
                portal_type="ApproverAuthorization",
                review_state="active",
                unrestricted=True,
                **{index: value},
            )
            candidates.update(brain.approver for brain in brains)
    return sorted(userid for userid in candidates if may_act(userid, application, at).allowed)


def open_applications_for(matter_codes):
    """Open applications of these matters, whoever asks."""
    if not matter_codes:
        return []
    brains = api.content.find(
        portal_type="Application",
        matter_code=sorted(matter_codes),
        review_state=OPEN_STATES,
        unrestricted=True,
    )
    return [brain._unrestrictedGetObject() for brain in brains]


def matter_codes_in_scope(authorization):
    """Codes of every matter the authorisation's scope names, by category or one by one."""
    codes = set(authorization.scope_matters or ())
    categories = list(authorization.scope_categories or ())
    if categories:
        brains = api.content.find(
            portal_type="Matter", matter_category=categories, unrestricted=True
        )
        codes.update(brain.matter_code for brain in brains)
    return codes


def bring_security_in_line(authorization):
    """Reindex the security of open applications the authorisation covers or covered.

    The scope may just have shrunk, so applications where the approver is currently
    indexed are included as well as those the new scope names.
    """
    forget_cached_verdicts()
    codes = matter_codes_in_scope(authorization)
    applications = {app.UID(): app for app in open_applications_for(codes)}
    if authorization.approver:
        brains = api.content.find(
            portal_type="Application",
            review_state=OPEN_STATES,
            allowedRolesAndUsers=f"user:{authorization.approver}",
            unrestricted=True,
        )
        for brain in brains:
            applications.setdefault(brain.UID, brain._unrestrictedGetObject())
    for application in applications.values():
        application.reindexObjectSecurity()
    return len(applications)


# Time limits on the working-day calendar


def due_date_from(application, day, working_days_used=0):
    """The deadline when the clock runs from `day` with `working_days_used` already gone.

    Raises CalendarNotMaintained when the deadline falls in a year without a schedule.
    """
    matter = application.matter_object()
    remaining = max(matter.promised_days - working_days_used, 0)
    return bureau_calendar().add_working_days(day, remaining)


def start_clock(application, at=None):
    """Set the deadline at acceptance: promised working days, or today for 即办 matters."""
    day = bureau_day(at)
    application.working_days_used = 0
    application.clock_started_on = day
    application.paused_on = None
    application.due_date = due_date_from(application, day)


def stop_clock(application, at=None):
    """Stop the clock while the applicant supplements the materials."""
    day = bureau_day(at)
    running_since = application.clock_started_on or bureau_day(application.accepted_at)
    used = bureau_calendar().working_days_between(running_since, day)
    application.working_days_used = (application.working_days_used or 0) + used
    application.paused_on = day
    application.due_date = None


def resume_clock(application, at=None):
    """Resume after the supplement: the remaining working days count from the resubmission."""
    day = bureau_day(at)
    application.clock_started_on = day
    application.paused_on = None
    application.due_date = due_date_from(application, day, application.working_days_used or 0)


def deadline_status(application, at=None):
    """'overdue', 'due_soon', 'on_time', 'paused' or None (not running) for lists and badges."""
    state = api.content.get_state(application)
    if state == "awaiting_supplement":
        return "paused"
    due = application.due_date
    if state not in OPEN_STATES or due is None:
        return None
    day = bureau_day(at)
    if day > due:
        return "overdue"
    if bureau_calendar().working_days_between(day, due) <= DUE_SOON_WORKING_DAYS:
        return "due_soon"
    return "on_time"


def decided_on_time(application):
    """True when the decision fell on or before the deadline."""
    if application.decided_at is None or application.due_date is None:
        return None
    return bureau_day(application.decided_at) <= application.due_date


# Review and decision


def checklist_problems(application):
    """What still keeps the approver from deciding: unchecked materials and confirmations."""
    problems = []
    matter = application.matter_object()
    required = [row["name"] for row in (matter.materials or []) if row.get("required", True)]
    missing = [name for name in required if name not in (application.checked_materials or [])]
    if missing:
        problems.append(
            _(
                "checklist_materials_missing",
                default="Check these required materials first: ${materials}.",
                mapping={"materials": "、".join(missing)},
            )
        )
    if not application.legal_basis_confirmed:
        problems.append(_("checklist_legal_basis", default="Confirm that the legal basis applies."))
    if not application.conditions_confirmed:
        problems.append(
            _("checklist_conditions", default="Confirm that the acceptance conditions are met.")
        )
    return problems


def decision_problems(application, transition, reason, userid, at=None):
    """Why `userid` cannot `transition` (approve/refuse) the application now; [] when they can.

    The one check for a decision, asked before the document is signed and again when the
    signed decision is recorded.
    """
    verdict = may_act(userid, application, at)
    if not verdict.allowed:
        return [verdict.message]
    problems = []
    checklist = checklist_problems(application)
    if checklist:
        problems += [
            _("refuse_decision_checklist", default="The review checklist is not complete:"),
            *checklist,
        ]
    if transition == "refuse" and not (reason or "").strip():
        problems.append(
            _("refuse_refusal_reason", default="Give the written reason for the refusal.")
        )
    if not problems:
        try:
            decision_data(application, DECISIONS[transition], reason, userid, at)
        except ValueError as error:
            problems.append(
                _(
                    "refuse_decision_document",
                    default="The decision document cannot be drawn up: ${problem}",
                    mapping={"problem": str(error)},
                )
            )
    return problems


def applications_for_queue(userid, states=OPEN_STATES, matter_code=None, at=None):
    """Applications `userid` may act on now, due date first (no due date last)."""
    query = {
        "portal_type": "Application",
        "review_state": list(states),
        "allowedRolesAndUsers": f"user:{userid}",
        "unrestricted": True,
    }
    if matter_code:
        query["matter_code"] = matter_code
    brains = api.content.find(**query)
    # The index may lag behind an expiry nobody has run yet: ask the rule itself.
    verdicts = {}
    result = []
    for brain in brains:
        application = brain._unrestrictedGetObject()
        key = (application.matter, application.accepted_by)
        if key not in verdicts:
            verdicts[key] = may_act(userid, application, at).allowed
        if verdicts[key]:
            result.append(application)
    far = date.max
    result.sort(key=lambda app: (app.due_date or far, app.submitted_at or now()))
    return result


def approver_statistics(userid, at=None):
    """Decided today / this month and the on-time rate of the approver's decisions."""
    moment = at or now()
    today = bureau_day(moment)
    brains = api.content.find(
        portal_type="Application",
        decided_by=userid,
        review_state=list(DECIDED_STATES),
        unrestricted=True,
    )
    decided = [brain._unrestrictedGetObject() for brain in brains]
    days = [bureau_day(app.decided_at) for app in decided]
    on_time = [decided_on_time(app) for app in decided]
    timed = [flag for flag in on_time if flag is not None]
    return {
        "decided_today": sum(1 for day in days if day == today),
        "decided_this_month": sum(
            1 for day in days if (day.year, day.month) == (today.year, today.month)
        ),
        "decided_total": len(decided),
        "on_time_rate": round(sum(timed) / len(timed), 4) if timed else None,
    }


def is_authorized_somewhere(userid, at=None):
    """True when the user holds any current authorisation (the queue is for them)."""
    brains = api.content.find(
        portal_type="ApproverAuthorization",
        approver=userid,
        review_state="active",
        unrestricted=True,
    )
    return any(is_current(brain._unrestrictedGetObject(), at) for brain in brains)


def find_application(number):
    """The application with this number, whoever asks, or None."""
    brains = api.content.find(
        portal_type="Application", application_number=number, unrestricted=True
    )
    return brains[0]._unrestrictedGetObject() if brains else None


def application_for_holder(number, query_code):
    """The application with this number if the query code matches; None otherwise."""
    application = find_application(number)
    if application is None or not hmac.compare_digest(
        (application.query_code or "").encode(), (query_code or "").encode()
    ):
        return None
    return application


def public_status(number, query_code):
    """What the holder of the number and query code may know; None when they do not match."""
    application = application_for_holder(number, query_code)
    if application is None:
        return None
    state = api.content.get_state(application)
    matter = application.matter_object()
    notices = application.supplement_notices
    return {
        "number": application.number,
        "matter": {"code": application.matter, "title": matter.title if matter else None},
        "review_state": state,
        "review_state_title": translate(_state_title(state), domain="plone", context=getRequest()),
        "submitted_at": _iso(application.submitted_at),
        "accepted_at": _iso(application.accepted_at),
        "due_date": _iso(application.due_date),
        "decided_at": _iso(application.decided_at),
        "decision": application.decision,
        "supplement_notice": notices[-1]["text"] if state == "awaiting_supplement" else None,
        "decision_document": (
            public_url(DOCUMENT_VIEW, application, with_code=True)
            if application.decision_document is not None
            else None
        ),
    }


def _state_title(state):
    workflow = api.portal.get_tool("portal_workflow")["application_workflow"]
    return workflow.states[state].title


def _iso(value):
    return value.isoformat() if value is not None else None
