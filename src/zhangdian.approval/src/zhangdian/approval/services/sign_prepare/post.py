"""POST @sign-prepare: the decision document's bytes to sign, a one-time nonce and a summary."""

from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zhangdian.approval.body import certificate_field
from zhangdian.approval.body import json_object
from zhangdian.approval.body import text_field
from zhangdian.approval.signing.decision import prepare_signature
from zhangdian.approval.signing.decision import read_certificate
from zope.interface import alsoProvides


class SignPreparePost(Service):
    """Body: transition (approve|refuse), reason; optional certificate (PEM or base64 DER)."""

    def reply(self):
        # As plone.restapi's own write services: the JSON API is not a form post.
        alsoProvides(self.request, IDisableCSRFProtection)
        data = json_object(self.request)
        transition = text_field(data, "transition")
        reason = text_field(data, "reason", required=False)
        certificate = certificate_field(data, required=False)
        if certificate is not None:
            certificate = read_certificate(certificate)
        return prepare_signature(self.context, transition, reason, certificate)
