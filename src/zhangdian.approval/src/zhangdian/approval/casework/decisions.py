"""Deciding an application: the checks before a decision, the document's data, the stored PDF."""

from plone.namedfile.file import NamedBlobFile
from zhangdian.approval import _
from zhangdian.approval.accounts.names import person_name
from zhangdian.approval.casework.verification import verify_url
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.documents.decision_document import DecisionData
from zhangdian.approval.rules.application import checklist_problems
from zhangdian.approval.rules.application import may_act


BUREAU_NAME = "淄博市张店区行政审批服务局"
# transition → the decision it records
DECISIONS = {"approve": "approved", "refuse": "refused"}


def approver_name(userid):
    """The approver's full name as printed on the decision, else the user id."""
    return person_name(userid)


def decision_data(application, decision, reason, approver, at=None):
    """What the decision document of `application` says, decided by `approver` at `at`."""
    matter = application.matter_object()
    return DecisionData(
        bureau_name=BUREAU_NAME,
        application_number=application.number,
        applicant_name=application.applicant_name,
        applicant_identifier=application.applicant_identifier,
        matter_code=application.matter,
        matter_name=matter.title,
        legal_basis=matter.legal_basis or "",
        decision=decision,
        reason=reason or "",
        decided_on=bureau_day(at),
        approver_name=approver_name(approver),
        verify_url=verify_url(application, decision),
        query_code=application.query_code,
    )


def store_decision_document(application, pdf):
    """Keep the decision PDF with the application."""
    application.decision_document = NamedBlobFile(
        data=pdf,
        contentType="application/pdf",
        filename=f"{application.number}-decision.pdf",
    )


# E-mails to the applicant


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
