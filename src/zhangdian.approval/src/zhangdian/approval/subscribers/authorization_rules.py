"""Rules checked before an authorisation changes state; a refusal carries its reason.

DCWorkflow guards can only hide a transition; these checks refuse it with an explanation,
which plone.restapi's @workflow returns as a 400 message and the UI shows to the user.
"""

from Products.CMFCore.WorkflowCore import WorkflowException
from zhangdian.approval import _
from zhangdian.approval.casework.security import bring_security_in_line
from zhangdian.approval.roster.certificates import bind_certificate
from zhangdian.approval.rules.authorization import period_state
from zhangdian.approval.rules.authorization import qualification_problems
from zope.globalrequest import getRequest
from zope.i18n import translate


def refuse_transition(*messages):
    """Abort the transition with the translated messages as its reason."""
    request = getRequest()
    raise WorkflowException(" ".join(translate(m, context=request) for m in messages))


def check_transition(authorization, event):
    """Refuse grant without qualification, revoke without reason, expire before the end."""
    transition = event.transition and event.transition.id
    if transition == "grant":
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
