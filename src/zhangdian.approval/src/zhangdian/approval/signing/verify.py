"""Checking a signed decision PDF against the bureau's trust anchors, offline.

A signature is trusted only when pyHanko validates it and its certificate passes the same
trust decision as at binding (`trust.signer_refusal`), at the moment of validation. A trusted
verification names the anchor that issued the signer's certificate (subject, SHA-256).

Each problem has a code (`PROBLEMS`) and a translated message. A changed document is reported
as `changed` alone: its other checks are void, not failed. `no_timestamp` and
`no_validation_data` are notices: they do not make a signature invalid today, but without them it
cannot be validated once the signer's certificate expires or is revoked. Revocation is checked
against the CRLs given (none fetched: nothing goes to the network while validating).
"""

from cryptography import x509
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from io import BytesIO
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_timestamp
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator.errors import ValidationError
from zhangdian.approval import _
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.signing.asyncio_bridge import run_sync
from zhangdian.approval.signing.trust import issuing_anchor
from zhangdian.approval.signing.trust import offline_context
from zhangdian.approval.signing.trust import signer_refusal
from zhangdian.verify.checks import covers_document
from zhangdian.verify.checks import timestamp_holds
from zhangdian.verify.checks import validate_signature


LEVEL_B_B = "PAdES-B-B"
LEVEL_B_T = "PAdES-B-T"
LEVEL_B_LT = "PAdES-B-LT"
LEVEL_B_LTA = "PAdES-B-LTA"
LEVEL_NOT_PADES = "PDF-CMS"

PROBLEMS = {
    "unreadable": _("The document is not a readable PDF file."),
    "unsigned": _("The document carries no signature."),
    "changed": _("The document was changed after it was signed."),
    "invalid": _("The signature value does not match the signer's certificate."),
    "untrusted": _(
        "The signer's certificate is not trusted: it was not issued by a trust anchor "
        "of this bureau or is not meant for signing."
    ),
    "revoked": _("The signer's certificate has been revoked."),
    "expired_at_signing": _("The signer's certificate had expired when the document was signed."),
    "appended": _("Content was added to the document after it was signed."),
    "tsa_untrusted": _(
        "The signature timestamp is invalid or not from a trusted timestamp authority."
    ),
}
NOTICES = {
    "no_timestamp": _("The signature carries no timestamp, so its time is only claimed."),
    "no_validation_data": _(
        "The document embeds no validation data (certificates and revocation lists) to check "
        "it after the signer's certificate expires."
    ),
}


@dataclass(frozen=True)
class Verification:
    """The outcome of checking one signature of a PDF; `ok` only when nothing is wrong."""

    ok: bool
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_document: bool
    level: str | None = None
    field_name: str | None = None
    signer_certificate: bytes | None = field(default=None, repr=False)
    signer_fingerprint: str | None = None
    signer_subject: str | None = None
    # The trust anchor that issued the signer's certificate (only when trusted).
    anchor_subject: str | None = None
    anchor_fingerprint: str | None = None
    signing_time: datetime | None = None
    timestamp_time: datetime | None = None
    timestamp_valid: bool | None = None
    problems: list[str] = field(default_factory=list)
    # Codes of `problems` (keys of PROBLEMS), in the same order.
    codes: list[str] = field(default_factory=list)
    # Codes of NOTICES that hold: weaknesses that do not make the signature fail today.
    notices: list[str] = field(default_factory=list)


def verify(
    pdf_bytes: bytes,
    trust_anchors: list[x509.Certificate],
    *,
    field_name: str | None = None,
    timestamp_anchors: list[x509.Certificate] | None = None,
    crls: list[bytes] = (),
) -> Verification:
    """Check the signature in `field_name` (default: the last one) against `trust_anchors`.

    A timestamp is checked against `timestamp_anchors` when given (a TSA of another PKI,
    whose root must not vouch for approvers' certificates), else against `trust_anchors`.
    `crls` (DER) are checked for the signer's revocation, with those the document embeds.
    """
    return run_sync(_verify(pdf_bytes, trust_anchors, field_name, timestamp_anchors, crls))


async def _verify(pdf_bytes, trust_anchors, field_name, timestamp_anchors, crls) -> Verification:
    """`verify`, in pyHanko's async API."""
    try:
        reader = PdfFileReader(BytesIO(bytes(pdf_bytes)), strict=False)
        signatures = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        return _failed("unreadable")
    document_timestamps = [s for s in signatures if _is_document_timestamp(s)]
    signatures = [s for s in signatures if not _is_document_timestamp(s)]
    if field_name is not None:
        signatures = [s for s in signatures if s.field_name == field_name]
    if not signatures:
        return _failed("unsigned")
    signature = signatures[-1]
    crls = [*crls, *embedded_crls(reader)]
    context = offline_context(trust_anchors, crls=crls)
    timestamp_context = offline_context(timestamp_anchors) if timestamp_anchors else context
    try:
        status = await validate_signature(signature, context, timestamp_context)
        proven = _timestamp_time(status)
        if proven is not None:
            # A trusted timestamp proves the signature existed then: the signer's certificate
            # is judged at that moment, so its later expiry or revocation does not void it.
            context = offline_context(trust_anchors, moment=proven, crls=crls)
            status = await validate_signature(signature, context, timestamp_context)
        # pyHanko's path may run through certificates the CMS carries; the bureau's own rules
        # (one level, key strength, usage) decide as they did when the certificate was bound.
        refusal = await signer_refusal(status.signing_cert, trust_anchors, context.moment)
    except (
        SignatureValidationError,
        ValidationError,
        ValueError,
        KeyError,
        TypeError,
        PdfError,
    ) as error:
        return _failed(
            "unchecked",
            _("The signature cannot be checked: ${error}", mapping={"error": str(error)}),
            field_name=signature.field_name,
        )
    trusted = status.trusted and refusal is None
    anchor = None
    if trusted:
        signer = x509.load_der_x509_certificate(status.signing_cert.dump())
        anchor = issuing_anchor(signer, trust_anchors, context.moment)
    codes = problem_codes(status, trusted, refusal)
    if (
        "changed" not in codes
        and "tsa_untrusted" not in codes
        and not await _document_timestamps_hold(document_timestamps, timestamp_context)
    ):
        codes.append("tsa_untrusted")
    notices = notice_codes(reader, status)
    return _verification(signature, status, codes, notices, trusted=trusted, anchor=anchor)


def _is_document_timestamp(signature) -> bool:
    return signature.sig_object.get("/Type") == "/DocTimeStamp"


async def _document_timestamps_hold(document_timestamps, timestamp_context) -> bool:
    """Whether every document timestamp (PAdES-B-LTA) is intact and from a trusted TSA."""
    for document_timestamp in document_timestamps:
        try:
            status = await async_validate_pdf_timestamp(
                document_timestamp, validation_context=timestamp_context
            )
        except (SignatureValidationError, ValidationError, ValueError, KeyError, TypeError):
            return False
        if not timestamp_holds(status):
            return False
    return True


def embedded_crls(reader) -> list[bytes]:
    """The CRLs (DER) in the document's DSS; none without one."""
    dss = document_security_store(reader)
    if dss is None:
        return []
    return [stream.get_object().data for stream in dss.get("/CRLs", ())]


def document_security_store(reader):
    """The document's DSS dictionary (PAdES validation data), or None."""
    dss = reader.root.get("/DSS")
    return None if dss is None else dss.get_object()


def _timestamp_time(status) -> datetime | None:
    """The time of the signature's timestamp if the timestamp is trusted, else None."""
    timestamp = status.timestamp_validity
    return timestamp.timestamp if timestamp_holds(timestamp) else None


def signing_moment(status) -> datetime | None:
    """When the signature was made: the trusted timestamp's time, else the signer's claim."""
    return _timestamp_time(status) or status.signer_reported_dt


def problem_codes(status, trusted: bool, refusal) -> list[str]:
    """Every problem of a signature, by code; a changed document is `changed` and nothing else."""
    if not status.intact:
        return ["changed"]
    codes = []
    if not status.valid:
        codes.append("invalid")
    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    moment = signing_moment(status)
    if status.revoked:
        codes.append("revoked")
    elif moment is not None and moment > cert.not_valid_after_utc:
        codes.append("expired_at_signing")
    elif not trusted:
        codes.append("untrusted")
    if not covers_document(status):
        codes.append("appended")
    timestamp = status.timestamp_validity
    if timestamp is not None and not timestamp_holds(timestamp):
        codes.append("tsa_untrusted")
    return codes


def notice_codes(reader, status) -> list[str]:
    """The weaknesses of a signature that hold, by code (keys of NOTICES)."""
    notices = []
    if status.timestamp_validity is None:
        notices.append("no_timestamp")
    if document_security_store(reader) is None:
        notices.append("no_validation_data")
    return notices


def _verification(signature, status, codes, notices, trusted: bool, anchor=None) -> Verification:
    """Turn pyHanko's status and the trust decision into our Verification, listing every problem."""
    whole = covers_document(status)
    timestamp = status.timestamp_validity
    timestamp_valid = None
    if timestamp is not None:
        timestamp_valid = timestamp_holds(timestamp)
    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    return Verification(
        ok=not codes,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=trusted,
        covers_whole_document=whole,
        level=_level(signature, timestamp is not None, "no_validation_data" not in notices),
        field_name=signature.field_name,
        signer_certificate=status.signing_cert.dump(),
        signer_fingerprint=fingerprint(cert),
        signer_subject=cert.subject.rfc4514_string(),
        anchor_subject=anchor.subject.rfc4514_string() if anchor is not None else None,
        anchor_fingerprint=fingerprint(anchor) if anchor is not None else None,
        signing_time=status.signer_reported_dt,
        timestamp_time=None if timestamp is None else timestamp.timestamp,
        timestamp_valid=timestamp_valid,
        problems=[PROBLEMS[code] for code in codes],
        codes=codes,
        notices=notices,
    )


def _level(signature, timestamped: bool, validation_data: bool) -> str:
    """The PAdES baseline level the signature reaches."""
    if signature.sig_object.get("/SubFilter") != "/ETSI.CAdES.detached":
        return LEVEL_NOT_PADES
    if not timestamped:
        return LEVEL_B_B
    if not validation_data:
        return LEVEL_B_T
    archived = any(_is_document_timestamp(other) for other in signature.reader.embedded_signatures)
    return LEVEL_B_LTA if archived else LEVEL_B_LT


def _failed(code: str, problem=None, field_name: str | None = None) -> Verification:
    """A Verification for a document whose signature could not be examined at all."""
    return Verification(
        ok=False,
        intact=False,
        valid=False,
        trusted=False,
        covers_whole_document=False,
        field_name=field_name,
        problems=[problem or PROBLEMS[code]],
        codes=[code],
    )
