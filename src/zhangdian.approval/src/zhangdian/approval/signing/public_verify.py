"""What anyone may learn about a decision PDF: intact, who signed it, and the portal's record."""

from plone import api
from zhangdian.approval.casework.decisions import approver_name
from zhangdian.approval.casework.lookup_limit import limited_holder
from zhangdian.approval.casework.public import application_for_holder
from zhangdian.approval.signing.decision import SignatureRefused
from zhangdian.approval.signing.decision import verify_signed_decision
from zhangdian.approval.signing.verify import NOTICES
from zope.globalrequest import getRequest
from zope.i18n import translate

import hashlib


# A decision PDF is a few hundred KiB; the REST body carries it base64-encoded.
MAX_PDF = 10 * 1024 * 1024


def _application_by_document(digest):
    """The application whose stored decision document has this SHA-256, or None."""
    brains = api.content.find(portal_type="Application", decision_sha256=digest, unrestricted=True)
    return brains[0]._unrestrictedGetObject() if brains else None


def verify_decision(pdf_bytes):
    """What anyone may learn about a decision PDF: intact, signer, time, and the record."""
    verification = verify_signed_decision(pdf_bytes)
    application = _application_by_document(hashlib.sha256(pdf_bytes).hexdigest())
    record = application.signature if application is not None else None
    matches = bool(
        record
        and verification.ok
        and record["signer_fingerprint"] == verification.signer_fingerprint
    )
    request = getRequest()
    return {
        "ok": verification.ok and matches,
        "intact": verification.intact,
        "valid": verification.valid,
        "trusted": verification.trusted,
        "covers_whole_document": verification.covers_whole_document,
        "level": verification.level,
        "signer": {
            "subject": verification.signer_subject,
            "fingerprint": verification.signer_fingerprint,
        },
        # Which of the bureau's anchors vouched for the signer: None unless trusted.
        "trust_anchor": None
        if verification.anchor_fingerprint is None
        else {
            "subject": verification.anchor_subject,
            "fingerprint": verification.anchor_fingerprint,
        },
        "signing_time": _iso(verification.signing_time),
        "timestamp_time": _iso(verification.timestamp_time),
        "problems": [translate(p, context=request) for p in verification.problems],
        # The same problems by code, for programs; notices are weaknesses that do not fail.
        "codes": list(verification.codes),
        "notices": [
            {"code": code, "message": translate(NOTICES[code], context=request)}
            for code in verification.notices
        ],
        "matches_record": matches,
        "record": None
        if record is None
        else {
            "number": application.number,
            "decision": application.decision,
            "decided_at": _iso(application.decided_at),
            "approver": approver_name(application.decided_by),
            "signer_fingerprint": record["signer_fingerprint"],
        },
    }


def verify_holder(number, code, request=None):
    """Verify the stored decision of the application with this number and query code.

    With a request, the lookup counts against its address like every public lookup (429).
    """
    number = str(number or "").strip().upper()
    code = str(code or "").strip().upper()
    if not (number and code):
        application = None
    elif request is not None:
        application = limited_holder(request, number, code)
    else:
        application = application_for_holder(number, code)
    if application is None or application.decision_document is None:
        raise SignatureRefused("not_found", status=404)
    return verify_decision(application.decision_document.data)


def _iso(value):
    """ISO 8601 text of a datetime, None kept."""
    return value.isoformat() if value is not None else None
