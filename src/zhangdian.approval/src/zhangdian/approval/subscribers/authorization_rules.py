"""Rules checked before an authorisation changes state; a refusal carries its reason.

DCWorkflow guards can only hide a transition; these checks refuse it with an explanation,
which plone.restapi's @workflow returns as a 400 message and the UI shows to the user.
A guard that fails makes the workflow tool answer "No workflow provides the action", with
no reason, so the four-eyes rules (`may_propose`, `may_confirm`) are asked here, in the
before-transition event that every route fires (REST @workflow, the Classic UI, the ZMI,
portal_workflow.doActionFor from code); they refuse with `AuthorizationRefused` (403, the
rule's reason as its code). Creation and edits are checked here too, after the fields are
set: the publisher, or the caller's transaction, then undoes the whole request.
"""

from plone import api
from Products.CMFCore.WorkflowCore import WorkflowException
from zhangdian.approval import _
from zhangdian.approval.casework.security import bring_security_in_line
from zhangdian.approval.clock import now
from zhangdian.approval.content.authorization import AuthorizationRefused
from zhangdian.approval.roster.certificates import bind_certificate
from zhangdian.approval.roster.titles import authorization_title
from zhangdian.approval.rules.authorization import change_problem
from zhangdian.approval.rules.authorization import may_confirm
from zhangdian.approval.rules.authorization import may_create
from zhangdian.approval.rules.authorization import may_propose
from zhangdian.approval.rules.authorization import period_state
from zhangdian.approval.rules.authorization import qualification_problems
from zhangdian.approval.rules.authorization import recorded_terms
from zope.globalrequest import getRequest
from zope.i18n import translate
from zope.lifecycleevent.interfaces import IObjectModifiedEvent


FOUR_EYES = {"propose": may_propose, "grant": may_confirm}


def refuse_transition(*messages):
    """Abort the transition with the translated messages as its reason."""
    request = getRequest()
    raise WorkflowException(" ".join(translate(m, context=request) for m in messages))


def refuse(verdict):
    """Raise the verdict's refusal, its reason as the error code."""
    raise AuthorizationRefused(verdict.message, code=verdict.reason)


def _current_userid():
    return api.user.get_current().getId()


def check_transition(authorization, event):
    """Refuse grant without qualification, revoke without reason, expire before the end."""
    transition = event.transition and event.transition.id
    if transition in FOUR_EYES:
        verdict = FOUR_EYES[transition](_current_userid(), authorization)
        if not verdict.allowed:
            refuse(verdict)
        problems = qualification_problems(authorization)
        if problems:
            refuse_transition(
                _("refuse_grant", default="The authorisation cannot be granted:"), *problems
            )
    elif transition == "revoke":
        if not (event.kwargs or {}).get("comment", "").strip():
            refuse_transition(
                _("refuse_revoke", default="Give the reason for the revocation as a comment.")
            )
    elif transition == "expire" and period_state(authorization) != "expired":
        refuse_transition(
            _(
                "refuse_expire",
                default="The authorisation runs until ${until}; it cannot expire before.",
                mapping={"until": authorization.valid_until.isoformat()},
            )
        )


def record_maker_and_checker(authorization, event):
    """Record maker and checker with their times, and the fields as proposed."""
    transition = event.transition and event.transition.id
    if transition == "propose":
        authorization.proposed_by, authorization.proposed_at = _current_userid(), now()
        # What was proposed is what the checker confirms and what later edits are held to.
        authorization.terms_of_record = recorded_terms(authorization)
    elif transition == "grant":
        authorization.granted_by, authorization.granted_at = _current_userid(), now()
    elif transition == "send_back":
        authorization.proposed_by = authorization.proposed_at = None


def check_creation(authorization, event):
    """Refuse an authorisation for one's own account or for a group; record its fields."""
    verdict = may_create(_current_userid(), authorization.approver)
    if not verdict.allowed:
        refuse(verdict)
    authorization.terms_of_record = recorded_terms(authorization)


def check_change(authorization, event):
    """Refuse a change of the approver, of frozen qualification, or a widening (any route)."""
    after = recorded_terms(authorization)
    before = authorization.terms_of_record or after
    verdict = change_problem(_current_userid(), authorization, before, after)
    if not verdict.allowed:
        refuse(verdict)
    authorization.terms_of_record = after


def authorization_changed(authorization, event):
    """Bring the catalog security of the affected open applications in line."""
    # The workflow tool reindexes the new state only after this event; who covers which
    # application is looked up in the catalog, so it must see the new state already.
    authorization.reindexObject()
    bring_security_in_line(authorization)


def certificate_uploaded(authorization, event):
    """Record the vetted certificate's fingerprint, subject, serial and validity."""
    bind_certificate(authorization)
    authorization.reindexObject(idxs=["certificate_fingerprint"])


# The fields the title is made of; an edit of other fields keeps the title as it is.
TITLE_FIELDS = {"approver", "valid_from", "valid_until"}


def name_after_approver_and_period(authorization, event):
    """Title a new authorisation, or one whose period changed, by name and period."""
    if IObjectModifiedEvent.providedBy(event):
        changed = {
            name.split(".")[-1]
            for description in event.descriptions
            for name in getattr(description, "attributes", ())
        }
        if not changed & TITLE_FIELDS:
            return
    title = authorization_title(
        authorization.approver, authorization.valid_from, authorization.valid_until
    )
    if authorization.title != title:
        authorization.title = title
        authorization.reindexObject(idxs=["Title", "SortableTitle"])
