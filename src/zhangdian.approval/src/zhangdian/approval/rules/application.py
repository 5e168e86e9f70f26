"""Who may act on an application, until when it must be decided, and what a decision needs.

`may_act` is the one answer to "may U act on application A now?": the local role provider,
the workflow rules, the queue, the REST API and the signing code all ask it. It adds one
rule to `authorizations.may_decide`: once accepted, only the approver who accepted the
application may go on with it (受理审核合一).
"""

from zhangdian.approval import _
from zhangdian.approval.rules.authorization import Verdict
from zhangdian.approval.rules.authorization import may_decide


OPEN_STATES = ("submitted", "accepted", "awaiting_supplement")
DECIDED_STATES = ("approved", "refused")
FINAL_STATES = (*DECIDED_STATES, "withdrawn")


def may_act(userid, application, at=None) -> Verdict:
    """May `userid` accept, review or decide `application` at `at` (default now)?"""
    if application.accepted_by and application.accepted_by != userid:
        return Verdict(False, "accepted_by_other")
    matter = application.matter_object()
    if matter is None:
        return Verdict(False, "unknown_matter")
    return may_decide(userid, matter, at)


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
