"""POST @sign-complete: embed and verify the signature, then record the decision."""

from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zhangdian.approval.body import bytes_field
from zhangdian.approval.body import certificate_field
from zhangdian.approval.body import json_object
from zhangdian.approval.body import text_field
from zhangdian.approval.services.summaries import signed_decision_summary
from zhangdian.approval.signing.decision import commit_signed_decision
from zhangdian.approval.signing.decision import complete_signature
from zhangdian.approval.signing.decision import read_certificate
from zope.interface import alsoProvides


class SignCompletePost(Service):
    """Body: nonce, signature (base64), certificate (PEM or base64 DER)."""

    def reply(self):
        # As plone.restapi's own write services: the JSON API is not a form post.
        alsoProvides(self.request, IDisableCSRFProtection)
        data = json_object(self.request)
        nonce = text_field(data, "nonce")
        signature = bytes_field(data, "signature")
        certificate = read_certificate(certificate_field(data))
        signed = commit_signed_decision(
            lambda: complete_signature(self.context, nonce, signature, certificate)
        )
        return signed_decision_summary(self.context, signed)
