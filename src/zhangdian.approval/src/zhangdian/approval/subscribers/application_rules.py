"""What happens around an application's transitions: the checks first, then the record.

The workflow's permissions say who may try (the IndependentApprover role exists only for
approvers `may_act` allows); these checks refuse with a reason what a guard cannot
explain: a missing checklist item, a refusal without a written reason, an empty
supplement notice.
"""

from plone import api
from plone.namedfile.utils import safe_basename
from zhangdian.approval import _
from zhangdian.approval.casework.decisions import DECISIONS
from zhangdian.approval.casework.decisions import decision_problems
from zhangdian.approval.casework.decisions import store_decision_document
from zhangdian.approval.casework.notices import notify_applicant
from zhangdian.approval.casework.numbering import allocate_number
from zhangdian.approval.casework.security import forget_cached_verdicts
from zhangdian.approval.clock import now
from zhangdian.approval.rules.application import may_act
from zhangdian.approval.rules.application import may_act_on_matter
from zhangdian.approval.rules.application import names_as_applicant
from zhangdian.approval.rules.deadlines import calendar_missing_message
from zhangdian.approval.rules.deadlines import calendar_problem
from zhangdian.approval.rules.deadlines import resume_clock
from zhangdian.approval.rules.deadlines import start_clock
from zhangdian.approval.rules.deadlines import stop_clock
from zhangdian.approval.signing.decision import SignedDecision
from zhangdian.approval.subscribers.authorization_rules import refuse_transition


NOTICES = {
    "accept": "accepted",
    "request_supplement": "supplement",
    "transfer_to_ordinary": "transferred",
    "approve": "decided",
    "refuse": "decided",
}


def _comment(event):
    return ((event.kwargs or {}).get("comment") or "").strip()


def check_transition(application, event):
    """Refuse a transition the rules do not allow, with the reason."""
    transition = event.transition and event.transition.id
    userid = api.user.get_current().getId()
    if transition in DECISIONS:
        problems = decision_problems(application, transition, _comment(event), userid)
        if problems:
            refuse_transition(*problems)
        signed = (event.kwargs or {}).get("signed_decision")
        if not isinstance(signed, SignedDecision) or not signed.fits(application, transition):
            refuse_transition(
                _(
                    "refuse_decision_unsigned",
                    default="A decision takes effect only with the approver's signature: sign "
                    "the decision document with your key.",
                )
            )
        return
    if transition in ("accept", "request_supplement", "transfer_to_ordinary"):
        verdict = may_act(userid, application)
        if not verdict.allowed:
            refuse_transition(verdict.message)
    if transition == "transfer_to_ordinary" and not _comment(event):
        refuse_transition(
            _(
                "refuse_transfer_without_reason",
                default="Write why the case leaves the one-person procedure (an interested "
                "party's objection, a hearing or a technical review that became necessary).",
            )
        )
    if transition == "request_supplement" and not _comment(event):
        refuse_transition(
            _(
                "refuse_supplement_empty",
                default="List every missing or defective material in the notice (一次性告知).",
            )
        )
    missing = calendar_problem(application, transition)
    if missing is not None:
        refuse_transition(calendar_missing_message(missing.year, transition))


def record_transition(application, event):
    """Record who did what when, and move the clock."""
    transition = event.transition and event.transition.id
    userid = api.user.get_current().getId()
    moment = now()
    if transition == "accept":
        application.accepted_by = userid
        application.accepted_at = moment
        start_clock(application, moment)
    elif transition == "request_supplement":
        notice = {"requested_at": moment, "requested_by": userid, "text": _comment(event)}
        application.supplement_notices = (*application.supplement_notices, notice)
        stop_clock(application, moment)
    elif transition == "resubmit":
        resume_clock(application, moment)
    elif transition == "transfer_to_ordinary":
        # The ordinary procedure keeps its own clock: this one stops where it was.
        if application.paused_on is None and application.due_date is not None:
            stop_clock(application, moment)
        application.transferred_by = userid
        application.transferred_at = moment
        application.transfer_reason = _comment(event)
    elif transition in ("approve", "refuse"):
        application.decided_by = userid
        application.decided_at = moment
        application.decision = DECISIONS[transition]
        application.decision_reason = _comment(event)
        signed = event.kwargs["signed_decision"]
        store_decision_document(application, signed.pdf)
        application.signature = signed.record()
    application.reindexObject()
    if transition == "accept":
        # From now on only the accepting approver holds the role (受理审核合一).
        forget_cached_verdicts()
        application.reindexObjectSecurity()
    if transition in NOTICES:
        notify_applicant(application, NOTICES[transition])


def application_added(application, event):
    """Number the application, stamp time and channel, and give it a readable title."""
    allocate_number(application)
    # Registered at the counter when the approver who may take it up enters it (窗口受理).
    creator = api.user.get_current().getId()
    # Asked without recusal: the creator is the owner, and being that is what is decided here.
    at_counter = may_act_on_matter(creator, application).allowed and not names_as_applicant(
        creator, application
    )
    application.channel = "counter" if at_counter else "online"
    application.submitted_at = now()
    matter = application.matter_object()
    application.title = f"{application.number} {matter.title if matter else application.matter}"
    application.reindexObject()


MAX_FILE_NAME = 200


def clean_file_name(material, event):
    """Keep a submitted file's base name only: no folders, control characters or overlong names.

    Browsers send a base name, but a REST client may send `../../etc/passwd` or a NUL byte.
    """
    file = getattr(material, "file", None)
    if file is None or not file.filename:
        return
    name = "".join(c for c in safe_basename(file.filename) if c.isprintable()).strip()
    name = name.lstrip(".") or "file"
    if len(name) > MAX_FILE_NAME:
        _stem, dot, extension = name.rpartition(".")
        extension = f".{extension}" if dot and len(extension) <= 10 else ""
        name = name[: MAX_FILE_NAME - len(extension)] + extension
    file.filename = name
