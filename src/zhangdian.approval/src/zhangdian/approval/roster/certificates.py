"""Binding an approver's signing certificate to an authorisation, against the trust anchors."""

from plone import api
from zhangdian.approval.certificates import CertificateError
from zhangdian.approval.certificates import load_certificate
from zhangdian.approval.certificates import load_trust_anchors
from zhangdian.approval.settings import signing_setting
from zhangdian.approval.signing.trust import check_signing_certificate


def trust_anchors(setting="trust_anchors"):
    """The bureau's trust anchors (or another anchor setting's); [] when none is configured."""
    pem = signing_setting(setting)
    return load_trust_anchors(pem) if pem and pem.strip() else []


def vet_certificate(data, approver, at=None):
    """Describe a certificate `approver` may bind now; CertificateError with the reason if not."""
    anchors = trust_anchors()
    if not anchors:
        raise CertificateError("no_trust_anchor")
    info = check_signing_certificate(load_certificate(data), anchors, at)
    brains = api.content.find(
        portal_type="ApproverAuthorization",
        certificate_fingerprint=info.fingerprint_sha256,
        unrestricted=True,
    )
    for brain in brains:
        if brain.approver != approver:
            raise CertificateError("bound_elsewhere", {"approver": brain.approver})
    return info


def bind_certificate(authorization, at=None):
    """Record the details of the authorisation's vetted certificate (or clear them)."""
    blob = authorization.certificate
    info = None if blob is None else vet_certificate(blob.data, authorization.approver, at)
    authorization.certificate_fingerprint = info.fingerprint_sha256 if info else None
    authorization.certificate_subject = info.subject if info else None
    authorization.certificate_serial = info.serial if info else None
    authorization.certificate_not_before = info.not_before if info else None
    authorization.certificate_not_after = info.not_after if info else None
    return info
