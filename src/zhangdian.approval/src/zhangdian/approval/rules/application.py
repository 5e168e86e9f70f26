"""Who may act on an application, until when it must be decided, and what a decision needs.

`may_act` is the one answer to "may U act on application A now?": the local role provider,
the workflow rules, the queue, the REST API and the signing code all ask it. It adds two
rules to `authorizations.may_decide`: nobody acts on an application they submitted or that
names them as the applicant (回避), and once accepted, only the approver who accepted the
application may go on with it (受理审核合一).

An application registered at the counter (窗口受理, channel "counter") is created by the
approver for a walk-in applicant: that is an official act, not an application of theirs, so
only an online application's creator and owner count as its submitter. An approval account
is used for approval only (rules/authorization), so anything it registers is a counter
registration; one that names the approver (full name or e-mail) is recused all the same.
"""

from zhangdian.approval import _
from zhangdian.approval.rules.authorization import Verdict
from zhangdian.approval.rules.authorization import account
from zhangdian.approval.rules.authorization import may_decide


OPEN_STATES = ("submitted", "accepted", "awaiting_supplement")
DECIDED_STATES = ("approved", "refused")
# Left the one-person path for the ordinary (multi-person) procedure: kept, never reopened.
TRANSFERRED = "transferred"
FINAL_STATES = (*DECIDED_STATES, "withdrawn", TRANSFERRED)


def submitted_by(userid, application):
    """True when `userid` submitted the application online (its creator or owner)."""
    if getattr(application, "channel", "online") == "counter":
        return False
    owner = application.getOwnerTuple()
    return userid in (application.listCreators() or ()) or bool(owner and owner[1] == userid)


def names_as_applicant(userid, application):
    """True when the application names `userid` as the applicant (full name or e-mail)."""
    facts = account(userid)
    if not facts.is_user:
        return False
    if facts.fullname and application.applicant_name == facts.fullname:
        return True
    email = (application.contact_email or "").strip().lower()
    return bool(email and facts.email and email == facts.email.strip().lower())


def may_act_on_matter(userid, application, at=None) -> Verdict:
    """may_decide for the application's matter (what callers may cache per matter)."""
    matter = application.matter_object()
    if matter is None:
        return Verdict(False, "unknown_matter")
    return may_decide(userid, matter, at)


def may_act(userid, application, at=None, on_matter=may_act_on_matter) -> Verdict:
    """May `userid` accept, review or decide `application` at `at` (default now)?

    `on_matter` answers the matter's part; callers that ask for many applications pass a
    cached one (casework.security.cached_may_act), the rule stays this function.
    """
    if submitted_by(userid, application):
        return Verdict(False, "recused")
    if application.accepted_by and application.accepted_by != userid:
        return Verdict(False, "accepted_by_other")
    verdict = on_matter(userid, application, at)
    # Asked only of approvers the matter allows, so a listing asks no other account.
    if verdict.allowed and names_as_applicant(userid, application):
        return Verdict(False, "recused", verdict.authorization)
    return verdict


# Time limits on the working-day calendar


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
