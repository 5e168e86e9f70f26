"""PAdES signatures on decision PDFs, split so that the key can sign somewhere else, later.

`prepare` adds the signature field when missing, at `box` on `page` (negative pages count
from the end, like decision_document.SIGNATURE_PAGE). With a box, or in an existing visible
field, the signature is visible: a red frame with 数字签名, the signer's name and the time in
UTC+8; without a box it is invisible. It reserves the /Contents region and returns the DER
signed attributes the token must sign, plus `state`: plain bytes that `complete` needs, in
another process or request, to embed the CMS. With `timestamp_url`, prepare reserves room for
that TSA's token (pyHanko asks the TSA for a sample once per process to size it).

`complete` first checks the signature value against the certificate's key over the signed
attributes (RSA PKCS#1 v1.5; ECDSA as DER or raw r||s), so garbage never yields a "signed"
PDF. With `timestamp_url` the CMS gets a signature timestamp (PAdES-B-T), otherwise PAdES-B-B.

`verify` checks a signed PDF against the bureau's trust anchors, offline.

State format (version 1), chosen so that the prepared PDF is stored as is, not base64:

    b"ZDSIG-PREP" | version (1 byte) | header length (4 bytes, big-endian) | header | PDF

The header is UTF-8 JSON: `digest_algorithm`, `document_digest` (hex), `reserved_region`
([start, end) byte offsets of the /Contents hex string, brackets included), `signed_attrs`
and `certificate` (base64 DER), `timestamp_room` (whether the reservation holds a TSA token),
`field_name`. The rest is the prepared PDF (the /Contents region still zero-filled).

Revocation is not checked (the bureau's PKI has no CRL or OCSP yet; the authorisation is what
gets revoked), and nothing is fetched from the network while validating.
"""

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from io import BytesIO
from pyhanko.pdf_utils import content
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.timestamps import TimestampRequestError
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from zhangdian.approval import _
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.signing.errors import FieldAlreadySigned
from zhangdian.approval.signing.errors import InvalidState
from zhangdian.approval.signing.errors import NoTimestampRoom
from zhangdian.approval.signing.errors import SignatureRejected
from zhangdian.approval.signing.errors import TimestampFailed
from zhangdian.approval.signing.errors import UnreadablePdf
from zhangdian.approval.signing.errors import UnsupportedKey
from zhangdian.approval.signing.timestamps import timestamper

import asyncio
import base64
import binascii
import hashlib
import json
import os
import struct
import threading


DEFAULT_FIELD_NAME = "ApproverSignature"
DIGEST_ALGORITHM = "sha256"
LEVEL_B_B = "PAdES-B-B"
LEVEL_B_T = "PAdES-B-T"
LEVEL_NOT_PADES = "PDF-CMS"

STATE_MAGIC = b"ZDSIG-PREP"
STATE_VERSION = 1
_STATE_HEADER = struct.Struct(">BI")

# The same face the decision document embeds (decision_document.FONT_PATH / FONT_ENV); when it
# is missing the appearance falls back to a standard CJK font the viewer supplies.
APPEARANCE_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
APPEARANCE_FONT_ENV = "ZHANGDIAN_PDF_FONT"
_FALLBACK_FONT = "STSong-Light"
_EMBEDDED_FONT = "ZhangdianSignatureFont"
# Used only when the field already exists and its size is decided by the document.
_DEFAULT_APPEARANCE_SIZE = (180, 70)
# China has no daylight saving time; the approver reads the time of the bureau.
BUREAU_TIME = timezone(timedelta(hours=8), "UTC+8")

_font_lock = threading.Lock()
_registered_font: str | None = None


@dataclass(frozen=True)
class PreparedSignature:
    """What the token signs (`data_to_sign`) and what `complete` needs later (`state`)."""

    data_to_sign: bytes
    digest_algorithm: str
    document_digest: bytes
    state: bytes


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
    signing_time: datetime | None = None
    timestamp_time: datetime | None = None
    timestamp_valid: bool | None = None
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _State:
    """The decoded `PreparedSignature.state`."""

    digest_algorithm: str
    document_digest: bytes
    reserved_region: tuple[int, int]
    signed_attrs: bytes
    certificate: bytes
    timestamp_room: bool
    field_name: str
    pdf: bytes


def prepare(
    pdf_bytes: bytes,
    certificate: x509.Certificate,
    *,
    field_name: str = DEFAULT_FIELD_NAME,
    box: tuple[float, float, float, float] | None = None,
    page: int = 0,
    reason: str | None = None,
    location: str | None = None,
    timestamp_url: str | None = None,
) -> PreparedSignature:
    """Prepare `pdf_bytes` for a PAdES signature by `certificate` (see the module docstring)."""
    return asyncio.run(
        _prepare(pdf_bytes, certificate, field_name, box, page, reason, location, timestamp_url)
    )


def complete(state: bytes, signature_value: bytes, *, timestamp_url: str | None = None) -> bytes:
    """The signed PDF, or SignatureRejected if `signature_value` does not verify."""
    return asyncio.run(_complete(state, signature_value, timestamp_url))


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
    return asyncio.run(_verify(pdf_bytes, trust_anchors, field_name, timestamp_anchors))


# --- prepare -------------------------------------------------------------------------------


async def _prepare(pdf_bytes, certificate, field_name, box, page, reason, location, tsa_url):
    """`prepare`, in pyHanko's async API."""
    placeholder = _signature_size(certificate.public_key())
    cert_der = certificate.public_bytes(Encoding.DER)
    signer = signers.ExternalSigner(
        signing_cert=asn1_x509.Certificate.load(cert_der),
        cert_registry=None,
        signature_value=placeholder,
    )
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes))
        existing = _existing_field(writer.prev, field_name)
    except (PdfError, ValueError, KeyError, TypeError) as error:
        raise UnreadablePdf() from error
    if existing is not None and existing.get("/V") is not None:
        raise FieldAlreadySigned(field_name)
    visible = existing is not None or box is not None
    size = _DEFAULT_APPEARANCE_SIZE if box is None else (box[2] - box[0], box[3] - box[1])
    signed_at = datetime.now(BUREAU_TIME)
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm=DIGEST_ALGORITHM,
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
        ),
        signer=signer,
        timestamper=timestamper(tsa_url) if tsa_url else None,
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=page,
            box=None if box is None else tuple(box),
        ),
        stamp_style=_appearance_style(signer.subject_name or "", signed_at, size)
        if visible
        else None,
    )
    try:
        prepared, _tbs, output = await pdf_signer.async_digest_doc_for_signing(writer)
    except TimestampRequestError as error:
        raise TimestampFailed(tsa_url) from error
    except (PdfError, ValueError, KeyError, IndexError) as error:
        raise UnreadablePdf() from error
    signed_attrs = await signer.signed_attrs(
        prepared.document_digest, DIGEST_ALGORITHM, use_pades=True
    )
    data_to_sign = signed_attrs.dump()
    state = _State(
        digest_algorithm=DIGEST_ALGORITHM,
        document_digest=prepared.document_digest,
        reserved_region=(prepared.reserved_region_start, prepared.reserved_region_end),
        signed_attrs=data_to_sign,
        certificate=cert_der,
        timestamp_room=bool(tsa_url),
        field_name=field_name,
        pdf=output.getvalue(),
    )
    return PreparedSignature(
        data_to_sign=data_to_sign,
        digest_algorithm=DIGEST_ALGORITHM,
        document_digest=prepared.document_digest,
        state=_dump_state(state),
    )


def _signature_size(public_key) -> int:
    """Bytes a signature by `public_key` takes, to size the reserved /Contents region."""
    if isinstance(public_key, rsa.RSAPublicKey):
        return public_key.key_size // 8
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        # DER SEQUENCE of two INTEGERs, each possibly one byte longer than the coordinate.
        return 2 * ((public_key.curve.key_size + 7) // 8 + 3) + 3
    raise UnsupportedKey(type(public_key).__name__)


def _existing_field(reader, field_name: str):
    """The signature field called `field_name`, or None."""
    for _name, _value, field_ref in fields.enumerate_sig_fields(reader, with_name=field_name):
        return field_ref.get_object()
    return None


def _appearance_style(signer_name: str, signed_at: datetime, size) -> StaticStampStyle:
    """A stamp that shows the reportlab-drawn appearance, filling the field's box."""
    return StaticStampStyle(
        background=_ImportedAppearance(_appearance_pdf(signer_name, signed_at, size)),
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )


def _appearance_font() -> str:
    """The registered reportlab font for appearances: the embedded CJK face, or a fallback."""
    global _registered_font
    with _font_lock:
        if _registered_font is None:
            path = os.environ.get(APPEARANCE_FONT_ENV) or APPEARANCE_FONT_PATH
            try:
                pdfmetrics.registerFont(TTFont(_EMBEDDED_FONT, path, subfontIndex=0))
                _registered_font = _EMBEDDED_FONT
            except (OSError, TTFError):
                pdfmetrics.registerFont(UnicodeCIDFont(_FALLBACK_FONT))
                _registered_font = _FALLBACK_FONT
        return _registered_font


def _appearance_pdf(signer_name: str, signed_at: datetime, size) -> bytes:
    """A one-page PDF of the field's size: a frame, the signer's name and the signing time."""
    width, height = size
    font = _appearance_font()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setStrokeColorRGB(0.75, 0.1, 0.1)
    canvas.setFillColorRGB(0.75, 0.1, 0.1)
    canvas.setLineWidth(1.2)
    canvas.roundRect(1, 1, width - 2, height - 2, 4)
    lines = [
        ("数字签名 Digitally signed", 0.16),
        (signer_name, 0.24),
        (signed_at.strftime("%Y-%m-%d %H:%M:%S ") + BUREAU_TIME.tzname(None), 0.13),
    ]
    total = sum(height * share for _, share in lines) * 1.3
    baseline = (height + total) / 2
    for text, share in lines:
        font_size = height * share
        # Long names shrink instead of overflowing the frame.
        font_size = min(font_size, (width - 8) / max(pdfmetrics.stringWidth(text, font, 1), 1))
        baseline -= font_size * 1.3
        canvas.setFont(font, font_size)
        canvas.drawCentredString(width / 2, baseline + font_size * 0.3, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


class _ImportedAppearance(content.PdfContent):
    """The first page of an in-memory PDF as a form XObject (ImportedPdfPage needs a file)."""

    def __init__(self, pdf: bytes):
        """Keep the PDF; it is imported when pyHanko renders the stamp."""
        super().__init__()
        self.pdf = pdf

    def render(self) -> bytes:
        """Import the page and draw it."""
        xobject = self._ensure_writer.import_page_as_xobject(PdfFileReader(BytesIO(self.pdf)))
        self.resources.xobject["/Appearance"] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return b"/Appearance Do"


# --- complete ------------------------------------------------------------------------------


async def _complete(state_bytes, signature_value, tsa_url):
    """`complete`, in pyHanko's async API."""
    state = _load_state(state_bytes)
    if tsa_url and not state.timestamp_room:
        raise NoTimestampRoom()
    certificate = x509.load_der_x509_certificate(state.certificate)
    signature_value = _checked_signature(
        certificate, state.signed_attrs, bytes(signature_value), state.digest_algorithm
    )
    signer = signers.ExternalSigner(
        signing_cert=asn1_x509.Certificate.load(state.certificate),
        cert_registry=None,
        signature_value=signature_value,
    )
    try:
        signed_data = await signer.async_sign_prescribed_attributes(
            state.digest_algorithm,
            signed_attrs=cms.CMSAttributes.load(state.signed_attrs),
            timestamper=timestamper(tsa_url) if tsa_url else None,
        )
    except TimestampRequestError as error:
        raise TimestampFailed(tsa_url) from error
    output = BytesIO(state.pdf)
    prepared = PreparedByteRangeDigest(
        document_digest=state.document_digest,
        reserved_region_start=state.reserved_region[0],
        reserved_region_end=state.reserved_region[1],
    )
    try:
        prepared.fill_with_cms(output, signed_data)
    except PyHankoSigningError as error:
        # Only a timestamp token larger than the one sampled at prepare time can overflow.
        raise NoTimestampRoom() from error
    return output.getvalue()


def _checked_signature(
    certificate: x509.Certificate, data: bytes, signature: bytes, digest_algorithm: str
) -> bytes:
    """`signature` (DER for ECDSA) if it verifies over `data` with the certificate's key."""
    public_key = certificate.public_key()
    digest = _hash(digest_algorithm)
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), digest)
            return signature
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            signature = _ecdsa_der(signature, public_key)
            public_key.verify(signature, data, ec.ECDSA(digest))
            return signature
    except (InvalidSignature, ValueError) as error:
        raise SignatureRejected() from error
    raise UnsupportedKey(type(public_key).__name__)


def _ecdsa_der(signature: bytes, public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The DER form of an ECDSA signature given as DER or as raw r||s (PKCS#11 output)."""
    size = (public_key.curve.key_size + 7) // 8
    if len(signature) == 2 * size and signature[:1] != b"\x30":
        r = int.from_bytes(signature[:size], "big")
        s = int.from_bytes(signature[size:], "big")
        return encode_dss_signature(r, s)
    return signature


def _hash(digest_algorithm: str) -> hashes.HashAlgorithm:
    """The cryptography hash for a pyHanko digest name."""
    return {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[
        digest_algorithm
    ]


# --- state ---------------------------------------------------------------------------------


def _dump_state(state: _State) -> bytes:
    """Encode the state (format in the module docstring)."""
    header = json.dumps(
        {
            "digest_algorithm": state.digest_algorithm,
            "document_digest": state.document_digest.hex(),
            "reserved_region": list(state.reserved_region),
            "signed_attrs": base64.b64encode(state.signed_attrs).decode("ascii"),
            "certificate": base64.b64encode(state.certificate).decode("ascii"),
            "timestamp_room": state.timestamp_room,
            "field_name": state.field_name,
        },
        sort_keys=True,
    ).encode("utf-8")
    return STATE_MAGIC + _STATE_HEADER.pack(STATE_VERSION, len(header)) + header + state.pdf


def _load_state(data: bytes) -> _State:
    """Decode and cross-check a state; InvalidState when damaged or of another version."""
    data = bytes(data)
    start = len(STATE_MAGIC) + _STATE_HEADER.size
    if not data.startswith(STATE_MAGIC) or len(data) < start:
        raise InvalidState()
    version, header_length = _STATE_HEADER.unpack_from(data, len(STATE_MAGIC))
    if version != STATE_VERSION:
        raise InvalidState()
    try:
        header = json.loads(data[start : start + header_length])
        state = _State(
            digest_algorithm=str(header["digest_algorithm"]),
            document_digest=bytes.fromhex(header["document_digest"]),
            reserved_region=(int(header["reserved_region"][0]), int(header["reserved_region"][1])),
            signed_attrs=base64.b64decode(header["signed_attrs"], validate=True),
            certificate=base64.b64decode(header["certificate"], validate=True),
            timestamp_room=bool(header["timestamp_room"]),
            field_name=str(header["field_name"]),
            pdf=data[start + header_length :],
        )
        _hash(state.digest_algorithm)
    except (ValueError, KeyError, TypeError, IndexError, binascii.Error) as error:
        raise InvalidState() from error
    if not _state_is_consistent(state):
        raise InvalidState()
    return state


def _state_is_consistent(state: _State) -> bool:
    """Whether the PDF, its digest and the signed attributes still belong together."""
    begin, end = state.reserved_region
    if not 0 < begin < end <= len(state.pdf):
        return False
    if state.pdf[begin : begin + 1] != b"<" or state.pdf[end - 1 : end] != b">":
        return False
    digest = hashlib.new(state.digest_algorithm)
    digest.update(state.pdf[:begin])
    digest.update(state.pdf[end:])
    if digest.digest() != state.document_digest:
        return False
    try:
        attributes = cms.CMSAttributes.load(state.signed_attrs)
        claimed = [
            a["values"][0].native for a in attributes if a["type"].native == "message_digest"
        ]
        x509.load_der_x509_certificate(state.certificate)
    except ValueError:
        return False
    return claimed == [state.document_digest]


# --- verify --------------------------------------------------------------------------------


def _offline_context(anchors) -> ValidationContext:
    """Validation against `anchors` alone, fetching nothing (the portal reaches no network)."""
    return ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(a.public_bytes(Encoding.DER)) for a in anchors],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


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
    context = _offline_context(trust_anchors)
    timestamp_context = _offline_context(timestamp_anchors) if timestamp_anchors else context
    try:
        status = await async_validate_pdf_signature(
            signature,
            context,
            ts_validation_context=timestamp_context,
            key_usage_settings=KeyUsageConstraints(
                key_usage={"digital_signature", "non_repudiation"}
            ),
        )
    except (SignatureValidationError, ValueError, KeyError, TypeError, PdfError) as error:
        return _failed(
            _("The signature cannot be checked: ${error}", mapping={"error": str(error)}),
            field_name=signature.field_name,
        )
    return _verification(signature, status)


def _verification(signature, status) -> Verification:
    """Turn pyHanko's status into our Verification, listing every problem."""
    problems = []
    if not status.intact:
        problems.append(_("The document was changed after it was signed."))
    if not status.valid:
        problems.append(_("The signature value does not match the signer's certificate."))
    if not status.trusted:
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
        trusted=bool(status.trusted),
        covers_whole_document=whole,
        level=_level(signature, timestamp is not None),
        field_name=signature.field_name,
        signer_certificate=status.signing_cert.dump(),
        signer_fingerprint=fingerprint(cert),
        signer_subject=cert.subject.rfc4514_string(),
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
