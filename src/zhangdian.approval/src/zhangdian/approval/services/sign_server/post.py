"""POST @sign-server: sign the decision with the approver's token on the server (PIN given)."""

from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zhangdian.approval.services.errors import refusal
from zhangdian.approval.services.summaries import signed_decision_summary
from zope.interface import alsoProvides
from zhangdian.approval.signatures import SignatureRefused
from zhangdian.approval.signatures import json_from_request
from zhangdian.approval.signatures import sign_with_server_token
from zhangdian.approval.signatures import text_from_request


class SignServerPost(Service):
    """Body: transition (approve|refuse), reason, pin."""

    def reply(self):
        # As plone.restapi's own write services: the JSON API is not a form post.
        alsoProvides(self.request, IDisableCSRFProtection)
        try:
            data = json_from_request(self.request)
            signed = sign_with_server_token(
                self.context,
                text_from_request(data, "transition"),
                text_from_request(data, "reason", required=False),
                text_from_request(data, "pin"),
                commit=True,
            )
        except SignatureRefused as refused:
            return refusal(self, refused)
        return signed_decision_summary(self.context, signed)
