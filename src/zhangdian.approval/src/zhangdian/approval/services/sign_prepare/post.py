"""POST @sign-prepare: the decision document's bytes to sign, a one-time nonce and a summary."""

from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zhangdian.approval.services.errors import refusal
from zope.interface import alsoProvides
from zhangdian.approval.signatures import SignatureRefused
from zhangdian.approval.signatures import json_from_request
from zhangdian.approval.signatures import certificate_from_request
from zhangdian.approval.signatures import prepare_signature
from zhangdian.approval.signatures import text_from_request


class SignPreparePost(Service):
    """Body: transition (approve|refuse), reason; optional certificate (PEM or base64 DER)."""

    def reply(self):
        # As plone.restapi's own write services: the JSON API is not a form post.
        alsoProvides(self.request, IDisableCSRFProtection)
        try:
            data = json_from_request(self.request)
            return prepare_signature(
                self.context,
                text_from_request(data, "transition"),
                text_from_request(data, "reason", required=False),
                certificate_from_request(data, required=False),
            )
        except SignatureRefused as refused:
            return refusal(self, refused)
