"""Checking a signed decision PDF against the bureau's trust anchors, offline.

A signature is trusted only when pyHanko validates it and its certificate passes the same
trust decision as at binding (`trust.signer_refusal`), at the moment of validation. A trusted
verification names the anchor that issued the signer's certificate (subject, SHA-256).

Revocation is not checked (the bureau's PKI has no CRL or OCSP yet; the authorisation is what
gets revoked), and nothing is fetched from the network while validating.
"""

from cryptography import x509
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from io import BytesIO
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from zhangdian.approval import _
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.signing.asyncio_bridge import run_sync
from zhangdian.approval.signing.trust import SIGNER_KEY_USAGE
from zhangdian.approval.signing.trust import issuing_anchor
from zhangdian.approval.signing.trust import offline_context
from zhangdian.approval.signing.trust import signer_refusal


LEVEL_B_B = "PAdES-B-B"
LEVEL_B_T = "PAdES-B-T"
LEVEL_NOT_PADES = "PDF-CMS"


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


def verify(
    pdf_bytes: bytes,
    trust_anchors: list[x509.Certificate],
    *,
    field_name: str | None = None,
    timestamp_anchors: list[x509.Certificate] | None = None,
) -> Verification:
    """Check the signature in `field_name` (default: the last one) against `trust_anchors`.

    A timestamp is checked against `timestamp_anchors` when given (a TSA of another PKI,
    whose root must not vouch for approvers' certificates), else against `trust_anchors`.
    """
    return run_sync(_verify(pdf_bytes, trust_anchors, field_name, timestamp_anchors))


async def _verify(pdf_bytes, trust_anchors, field_name, timestamp_anchors) -> Verification:
    """`verify`, in pyHanko's async API."""
    try:
        reader = PdfFileReader(BytesIO(bytes(pdf_bytes)), strict=False)
        signatures = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        return _failed(_("The document is not a readable PDF file."))
    if field_name is not None:
        signatures = [s for s in signatures if s.field_name == field_name]
    if not signatures:
        return _failed(_("The document carries no signature."))
    signature = signatures[-1]
    context = offline_context(trust_anchors)
    timestamp_context = offline_context(timestamp_anchors) if timestamp_anchors else context
    try:
        status = await async_validate_pdf_signature(
            signature,
            context,
            ts_validation_context=timestamp_context,
            key_usage_settings=SIGNER_KEY_USAGE,
        )
        # pyHanko's path may run through certificates the CMS carries; the bureau's own rules
        # (one level, key strength, usage) decide as they did when the certificate was bound.
        refusal = await signer_refusal(status.signing_cert, trust_anchors, context.moment)
    except (SignatureValidationError, ValueError, KeyError, TypeError, PdfError) as error:
        return _failed(
            _("The signature cannot be checked: ${error}", mapping={"error": str(error)}),
            field_name=signature.field_name,
        )
    trusted = status.trusted and refusal is None
    anchor = None
    if trusted:
        signer = x509.load_der_x509_certificate(status.signing_cert.dump())
        anchor = issuing_anchor(signer, trust_anchors, context.moment)
    return _verification(signature, status, trusted=trusted, anchor=anchor)


def _verification(signature, status, trusted: bool, anchor=None) -> Verification:
    """Turn pyHanko's status and the trust decision into our Verification, listing every problem."""
    problems = []
    if not status.intact:
        problems.append(_("The document was changed after it was signed."))
    if not status.valid:
        problems.append(_("The signature value does not match the signer's certificate."))
    if not trusted:
        problems.append(
            _(
                "The signer's certificate is not trusted: it was not issued by a trust anchor "
                "of this bureau, has expired or is not meant for signing."
            )
        )
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not whole:
        problems.append(_("Content was added to the document after it was signed."))
    timestamp = status.timestamp_validity
    timestamp_valid = None
    if timestamp is not None:
        timestamp_valid = bool(timestamp.intact and timestamp.valid and timestamp.trusted)
        if not timestamp_valid:
            problems.append(
                _("The signature timestamp is invalid or not from a trusted timestamp authority.")
            )
    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    return Verification(
        ok=not problems,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=trusted,
        covers_whole_document=whole,
        level=_level(signature, timestamp is not None),
        field_name=signature.field_name,
        signer_certificate=status.signing_cert.dump(),
        signer_fingerprint=fingerprint(cert),
        signer_subject=cert.subject.rfc4514_string(),
        anchor_subject=anchor.subject.rfc4514_string() if anchor is not None else None,
        anchor_fingerprint=fingerprint(anchor) if anchor is not None else None,
        signing_time=status.signer_reported_dt,
        timestamp_time=None if timestamp is None else timestamp.timestamp,
        timestamp_valid=timestamp_valid,
        problems=problems,
    )


def _level(signature, timestamped: bool) -> str:
    """The PAdES baseline level the signature reaches (B-LT/B-LTA are never produced here)."""
    if signature.sig_object.get("/SubFilter") != "/ETSI.CAdES.detached":
        return LEVEL_NOT_PADES
    return LEVEL_B_T if timestamped else LEVEL_B_B


def _failed(problem: str, field_name: str | None = None) -> Verification:
    """A Verification for a document whose signature could not be examined at all."""
    return Verification(
        ok=False,
        intact=False,
        valid=False,
        trusted=False,
        covers_whole_document=False,
        field_name=field_name,
        problems=[problem],
    )
