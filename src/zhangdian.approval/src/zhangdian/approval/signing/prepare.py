"""PAdES signatures on decision PDFs, split so that the key can sign somewhere else, later.

`prepare` adds the signature field when missing, at `box` on `page` (negative pages count
from the end, like decision_document.SIGNATURE_PAGE). With a box, or in an existing visible
field, the signature is visible (the stamp of `appearance`); without a box it is invisible.
It reserves the /Contents region and returns the DER signed attributes the token must sign,
the prepared document they sign (for the agent to check and show), plus `state` (see
`state`): plain bytes that `complete` needs, in another process or request, to embed the CMS.
With `timestamp_url`, prepare reserves room for that TSA's token (pyHanko asks the TSA for a
sample once per process to size it).

`complete` first checks the signature value against the certificate's key over the signed
attributes (RSA PKCS#1 v1.5; ECDSA as DER or raw r||s), so garbage never yields a "signed"
PDF. With `timestamp_url` the CMS gets a signature timestamp (PAdES-B-T), otherwise PAdES-B-B.
"""

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from dataclasses import dataclass
from io import BytesIO
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.timestamps import TimestampRequestError
from zhangdian.approval.clock import now
from zhangdian.approval.signing.appearance import DEFAULT_APPEARANCE_SIZE
from zhangdian.approval.signing.appearance import appearance_style
from zhangdian.approval.signing.asyncio_bridge import run_sync
from zhangdian.approval.signing.errors import FieldAlreadySigned
from zhangdian.approval.signing.errors import NoTimestampRoom
from zhangdian.approval.signing.errors import SignatureRejected
from zhangdian.approval.signing.errors import TimestampFailed
from zhangdian.approval.signing.errors import UnreadablePdf
from zhangdian.approval.signing.errors import UnsupportedKey
from zhangdian.approval.signing.state import State
from zhangdian.approval.signing.state import digest_hash
from zhangdian.approval.signing.state import dump_state
from zhangdian.approval.signing.state import load_state
from zhangdian.approval.signing.timestamps import timestamper


DEFAULT_FIELD_NAME = "ApproverSignature"
DIGEST_ALGORITHM = "sha256"


@dataclass(frozen=True)
class PreparedSignature:
    """What the token signs (`data_to_sign`), over which `document`; `complete` needs `state`."""

    data_to_sign: bytes
    # The prepared PDF with its placeholder: the agent digests its byte range itself.
    document: bytes
    digest_algorithm: str
    document_digest: bytes
    state: bytes


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
    return run_sync(
        _prepare(pdf_bytes, certificate, field_name, box, page, reason, location, timestamp_url)
    )


def complete(state: bytes, signature_value: bytes, *, timestamp_url: str | None = None) -> bytes:
    """The signed PDF, or SignatureRejected if `signature_value` does not verify."""
    return run_sync(_complete(state, signature_value, timestamp_url))


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
    size = DEFAULT_APPEARANCE_SIZE if box is None else (box[2] - box[0], box[3] - box[1])
    signed_at = now()
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
        stamp_style=appearance_style(signer.subject_name or "", signed_at, size)
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
    document = output.getvalue()
    state = State(
        digest_algorithm=DIGEST_ALGORITHM,
        document_digest=prepared.document_digest,
        reserved_region=(prepared.reserved_region_start, prepared.reserved_region_end),
        signed_attrs=data_to_sign,
        certificate=cert_der,
        timestamp_room=bool(tsa_url),
        field_name=field_name,
        pdf=document,
    )
    return PreparedSignature(
        data_to_sign=data_to_sign,
        document=document,
        digest_algorithm=DIGEST_ALGORITHM,
        document_digest=prepared.document_digest,
        state=dump_state(state),
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


async def _complete(state_bytes, signature_value, tsa_url):
    """`complete`, in pyHanko's async API."""
    state = load_state(state_bytes)
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
    digest = digest_hash(digest_algorithm)
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
