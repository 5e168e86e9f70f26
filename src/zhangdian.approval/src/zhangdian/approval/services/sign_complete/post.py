"""POST @sign-complete: embed and verify the signature, then record the decision."""

from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zhangdian.approval.services.errors import refusal
from zhangdian.approval.services.summaries import signed_decision_summary
from zope.interface import alsoProvides
from zhangdian.approval.signatures import SignatureRefused
from zhangdian.approval.signatures import json_from_request
from zhangdian.approval.signatures import bytes_from_request
from zhangdian.approval.signatures import certificate_from_request
from zhangdian.approval.signatures import commit_signed_decision
from zhangdian.approval.signatures import complete_signature
from zhangdian.approval.signatures import text_from_request


class SignCompletePost(Service):
    """Body: nonce, signature (base64), certificate (PEM or base64 DER)."""

    def reply(self):
        # As plone.restapi's own write services: the JSON API is not a form post.
        alsoProvides(self.request, IDisableCSRFProtection)
        try:
            data = json_from_request(self.request)
            nonce = text_from_request(data, "nonce")
            signature = bytes_from_request(data, "signature")
            certificate = certificate_from_request(data)
            signed = commit_signed_decision(
                lambda: complete_signature(self.context, nonce, signature, certificate)
            )
        except SignatureRefused as refused:
            return refusal(self, refused)
        return signed_decision_summary(self.context, signed)
