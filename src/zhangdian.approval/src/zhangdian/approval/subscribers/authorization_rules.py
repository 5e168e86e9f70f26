"""Rules checked before an authorisation changes state; a refusal carries its reason.

DCWorkflow guards can only hide a transition; these checks refuse it with an explanation,
which plone.restapi's @workflow returns as a 400 message and the UI shows to the user.
"""

from Products.CMFCore.WorkflowCore import WorkflowException
from zhangdian.approval import _
from zhangdian.approval.authorizations import period_state
from zhangdian.approval.authorizations import qualification_problems
from zope.globalrequest import getRequest
from zope.i18n import translate


def _refuse(*messages):
    request = getRequest()
    raise WorkflowException(" ".join(translate(m, context=request) for m in messages))


def check_transition(authorization, event):
    """Refuse grant without qualification, revoke without reason, expire before the end."""
    transition = event.transition and event.transition.id
    if transition == "grant":
        problems = qualification_problems(authorization)
        if problems:
            _refuse(_("refuse_grant", default="The authorisation cannot be granted:"), *problems)
    elif transition == "revoke":
        if not (event.kwargs or {}).get("comment", "").strip():
            _refuse(_("refuse_revoke", default="Give the reason for the revocation as a comment."))
    elif transition == "expire" and period_state(authorization) != "expired":
        _refuse(
            _(
                "refuse_expire",
                default="The authorisation runs until ${until}; it cannot expire before.",
                mapping={"until": authorization.valid_until.isoformat()},
            )
        )
