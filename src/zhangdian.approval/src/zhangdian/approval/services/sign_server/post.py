"""POST @sign-server: sign the decision with the approver's token on the server (PIN given)."""

from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zhangdian.approval.body import json_object
from zhangdian.approval.body import text_field
from zhangdian.approval.services.summaries import signed_decision_summary
from zhangdian.approval.signing.decision import sign_with_server_token
from zope.interface import alsoProvides


class SignServerPost(Service):
    """Body: transition (approve|refuse), reason, pin."""

    def reply(self):
        # As plone.restapi's own write services: the JSON API is not a form post.
        alsoProvides(self.request, IDisableCSRFProtection)
        data = json_object(self.request)
        signed = sign_with_server_token(
            self.context,
            text_field(data, "transition"),
            text_field(data, "reason", required=False),
            text_field(data, "pin"),
            commit=True,
        )
        return signed_decision_summary(self.context, signed)
