"""Reading and vetting the X.509 signing certificates that approvers bind to their authorisation.

Approvers sign with a personal USB key; the portal keeps only their certificate. Before one is
bound, `check_signing_certificate` makes sure it is valid at the given moment, was issued
*directly* by one of the bureau's trust anchors, is meant for signing and has a strong key.

Deliberate limits, so that nobody mistakes this for a full path validator:

* Only one level is supported: trust anchor (bureau CA) → approver certificate. Intermediate
  CAs and chain building are not; an approver certificate issued by an intermediate is untrusted.
* Revocation (CRL, OCSP) is not checked; the authorisation itself is what gets revoked.
* Only RSA (PKCS#1 v1.5 or PSS) and ECDSA signatures with SHA-256/384/512 are verified. SM2/SM3
  (国密) keys cannot be handled by `cryptography`; such certificates are reported, not bound.

Nothing here depends on Plone. The `make_*` helpers at the end build a throw-away test PKI for
the unit tests and the demo; they never take part in validating anything.
"""

from collections.abc import Iterable
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed448
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zhangdian.approval.errors import ApprovalError
from zhangdian.signer.certificates import fingerprint
from zope.i18nmessageid import Message
from zope.i18nmessageid import MessageFactory

import base64
import binascii
import re


# English sentences as message ids with ${placeholders}, the syntax zope.i18n expects; the
# error fills them through the message's `mapping`. zope.i18nmessageid is not Plone.
_ = MessageFactory("zhangdian.approval")
MESSAGES = {
    "unreadable": _("The data is not a readable X.509 certificate (PEM or DER, at most 64 KiB)."),
    "not_yet_valid": _("The certificate only becomes valid on ${date}."),
    "expired": _("The certificate expired on ${date}."),
    "untrusted": _("The certificate was not issued by a trust anchor configured for this bureau."),
    "not_for_signing": _(
        "The certificate is not meant for signing: it is a CA certificate or its "
        "key usage does not allow digital signatures."
    ),
    "key_too_weak": _(
        "The certificate's key (${key_type}) is too weak or not supported: use RSA "
        "with at least 2048 bits or ECDSA on P-256, P-384 or P-521."
    ),
    # Raised by the portal, which knows the roster and the configured anchors.
    "bound_elsewhere": _(
        "This certificate is already bound to the authorisation of ${approver}; "
        "a key belongs to one approver only."
    ),
    "no_trust_anchor": _(
        "No trust anchor is configured yet: the working group must enter the "
        "bureau's CA certificate in the signing settings first."
    ),
}

# An uploaded certificate is a few KiB; anything far larger is a mistake or an attack.
_MAX_SIZE = 64 * 1024
_PEM_BEGIN = re.compile(rb"-----BEGIN (?:X509 )?CERTIFICATE-----")
_PEM_END = re.compile(rb"-----END (?:X509 )?CERTIFICATE-----")
_SIGNING_CURVES = frozenset({"secp256r1", "secp384r1", "secp521r1"})
_MIN_RSA_BITS = 2048
# SHA-1 certificate signatures can be forged with chosen-prefix collisions.
_SIGNATURE_HASHES = (hashes.SHA256, hashes.SHA384, hashes.SHA512)


class CertificateError(ApprovalError, ValueError):
    """A certificate that cannot be bound: `.reason` is a stable code, `.messages` translatable."""

    code = "CertificateError"

    def __init__(self, reason: str, mapping: dict[str, str] | None = None):
        """Build the error for `reason`, filling the message's placeholders from `mapping`."""
        self.reason = reason
        self.mapping = dict(mapping or {})
        super().__init__(Message(MESSAGES[reason], mapping=self.mapping))
        # Keep (reason, mapping) as args so that copy and pickle can rebuild the error.
        self.args = (reason, self.mapping)

    @property
    def message(self) -> str:
        """The English message; `.messages` holds it translatable."""
        return str(self)


@dataclass(frozen=True)
class CertificateInfo:
    """What the portal shows and stores about a certificate."""

    subject: str
    common_name: str
    issuer: str
    serial: str
    fingerprint_sha256: str
    not_before: datetime
    not_after: datetime
    key_type: str
    der: bytes


def load_certificate(data: bytes | str) -> x509.Certificate:
    """Read one certificate from PEM (the first CERTIFICATE block) or DER."""
    if isinstance(data, str):
        # A PEM pasted into a form arrives as text.
        data = data.encode("utf-8")
    data = bytes(data)
    if not data or len(data) > _MAX_SIZE:
        raise CertificateError("unreadable")
    body = next(_pem_bodies(data), None)
    return _parse_der(data if body is None else _decode_base64(body))


def load_trust_anchors(pem_bundle: bytes | str) -> list[x509.Certificate]:
    """Read every CERTIFICATE block of a PEM bundle; a bundle without one is unreadable."""
    if isinstance(pem_bundle, str):
        pem_bundle = pem_bundle.encode("utf-8")
    anchors = [_parse_der(_decode_base64(body)) for body in _pem_bodies(bytes(pem_bundle))]
    if not anchors:
        raise CertificateError("unreadable")
    return anchors


def describe(cert: x509.Certificate) -> CertificateInfo:
    """Summarise a certificate for display and storage."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return CertificateInfo(
        subject=cert.subject.rfc4514_string(),
        common_name=str(names[0].value) if names else "",
        issuer=cert.issuer.rfc4514_string(),
        serial=f"{cert.serial_number:X}",
        fingerprint_sha256=fingerprint(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_type=_key_type(_public_key(cert)),
        der=cert.public_bytes(Encoding.DER),
    )


def check_signing_certificate(
    cert: x509.Certificate,
    anchors: Iterable[x509.Certificate],
    at: datetime | None = None,
) -> CertificateInfo:
    """Describe `cert` if an approver may bind it at `at` (default now); else CertificateError."""
    moment = _as_utc(at)
    if moment < cert.not_valid_before_utc:
        raise CertificateError("not_yet_valid", _date_mapping(cert.not_valid_before_utc))
    if moment > cert.not_valid_after_utc:
        raise CertificateError("expired", _date_mapping(cert.not_valid_after_utc))
    if not _issued_by_anchor(cert, anchors, moment):
        raise CertificateError("untrusted")
    if not _meant_for_signing(cert):
        raise CertificateError("not_for_signing")
    key = _public_key(cert)
    if not _strong_enough(key):
        raise CertificateError("key_too_weak", {"key_type": _key_type(key)})
    return describe(cert)


def _pem_bodies(data: bytes):
    """Yield the base64 body of each CERTIFICATE block, in order."""
    # Plain searches instead of one lazy `.*?` pattern keep this linear on hostile input.
    position = 0
    while begin := _PEM_BEGIN.search(data, position):
        end = _PEM_END.search(data, begin.end())
        if end is None:
            return
        yield data[begin.end() : end.start()]
        position = end.end()


def _decode_base64(body: bytes) -> bytes:
    """Decode a PEM body, ignoring line breaks (LF or CRLF) and indentation."""
    try:
        return base64.b64decode(b"".join(body.split()), validate=True)
    except binascii.Error as error:
        raise CertificateError("unreadable") from error


def _parse_der(der: bytes) -> x509.Certificate:
    """Parse DER, failing now rather than later on parts that `cryptography` parses lazily."""
    try:
        cert = x509.load_der_x509_certificate(der)
        # Names, dates and extensions are decoded on first access; a malformed one must be
        # reported as unreadable here, not surface later as a bare ValueError.
        cert.subject.rfc4514_string()
        cert.issuer.rfc4514_string()
        _ = cert.not_valid_before_utc, cert.not_valid_after_utc, cert.extensions
    except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType) as error:
        raise CertificateError("unreadable") from error
    return cert


def _as_utc(at: datetime | None) -> datetime:
    """Make `at` an aware UTC datetime: now if None, naive values are taken as UTC."""
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


def _date_mapping(moment: datetime) -> dict[str, str]:
    """The placeholders for a validity message: the UTC date, and the full moment for l10n."""
    return {"date": moment.date().isoformat(), "moment": moment.isoformat()}


def _public_key(cert: x509.Certificate) -> CertificatePublicKeyTypes | None:
    """The certificate's public key, or None for kinds `cryptography` cannot load (e.g. SM2)."""
    try:
        return cert.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return None


def _key_type(key: CertificatePublicKeyTypes | None) -> str:
    """A short label such as "RSA-2048" or "EC-secp256r1"."""
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA-{key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC-{key.curve.name}"
    if isinstance(key, dsa.DSAPublicKey):
        return f"DSA-{key.key_size}"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448"
    return "unsupported"


def _strong_enough(key: CertificatePublicKeyTypes | None) -> bool:
    """Whether the key is RSA of at least 2048 bits or EC on a NIST curve from P-256 up."""
    if isinstance(key, rsa.RSAPublicKey):
        return key.key_size >= _MIN_RSA_BITS
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.curve.name in _SIGNING_CURVES
    return False


def _extension(cert: x509.Certificate, kind: type):
    """The value of the extension of class `kind`, or None if absent."""
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def is_ca(cert: x509.Certificate) -> bool:
    """Whether BasicConstraints marks the certificate as a CA."""
    constraints = _extension(cert, x509.BasicConstraints)
    return constraints is not None and constraints.ca


def _usable_anchor(anchor: x509.Certificate, moment: datetime) -> bool:
    """Whether the anchor is a CA, valid at `moment`, and allowed to sign certificates."""
    if not anchor.not_valid_before_utc <= moment <= anchor.not_valid_after_utc:
        return False
    usage = _extension(anchor, x509.KeyUsage)
    # RFC 5280 4.2.1.3: a CA key whose usage is restricted must include keyCertSign.
    return is_ca(anchor) and (usage is None or usage.key_cert_sign)


def _issued_by_anchor(
    cert: x509.Certificate, anchors: Iterable[x509.Certificate], moment: datetime
) -> bool:
    """Whether a usable anchor issued `cert` directly, or `cert` is such an anchor itself."""
    for anchor in anchors:
        if not _usable_anchor(anchor, moment):
            continue
        # An anchor presented as its own certificate is trusted here so that the signing
        # check that follows can refuse it with the more helpful "not_for_signing".
        if cert == anchor:
            return True
        # Several anchors may share a name (CA key rollover), so keep trying after a mismatch.
        if cert.issuer == anchor.subject and _signed_by(cert, anchor):
            return True
    return False


def _signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether the issuer's public key verifies the certificate's signature."""
    try:
        key = issuer.public_key()
        hash_algorithm = cert.signature_hash_algorithm
        parameters = cert.signature_algorithm_parameters
    except (UnsupportedAlgorithm, ValueError):
        return False
    if not isinstance(hash_algorithm, _SIGNATURE_HASHES):
        return False
    data, signature = cert.tbs_certificate_bytes, cert.signature
    try:
        if isinstance(key, rsa.RSAPublicKey) and isinstance(
            parameters, padding.PKCS1v15 | padding.PSS
        ):
            key.verify(signature, data, parameters, hash_algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey) and isinstance(parameters, ec.ECDSA):
            key.verify(signature, data, parameters)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _meant_for_signing(cert: x509.Certificate) -> bool:
    """Whether the certificate is an end-entity certificate whose key may sign documents."""
    if is_ca(cert):
        return False
    usage = _extension(cert, x509.KeyUsage)
    return usage is None or usage.digital_signature or usage.content_commitment


# ---------------------------------------------------------------------------------------------
# Test PKI: throw-away CA and approver certificates for the unit tests and the demo command.
# ---------------------------------------------------------------------------------------------

_BUREAU = "张店区行政审批服务局"


def _bureau_name(common_name: str) -> x509.Name:
    """A distinguished name inside the bureau."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _BUREAU),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _start(valid_from: datetime | None) -> datetime:
    """The start of a validity period: now (whole seconds, as X.509 stores them) by default."""
    return _as_utc(valid_from).replace(microsecond=0)


def _key_usage(*, signing: bool) -> x509.KeyUsage:
    """KeyUsage for an approver (signing) or for a CA (certificate and CRL signing)."""
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def make_ca(
    common_name: str = "张店区行政审批服务局 测试CA",
    valid_from: datetime | None = None,
    days: int = 3650,
    key: CertificateIssuerPrivateKeyTypes | None = None,
) -> tuple[x509.Certificate, CertificateIssuerPrivateKeyTypes]:
    """A self-signed bureau CA (RSA-2048 unless an RSA or EC `key` is given) and its key."""
    if key is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = _bureau_name(common_name)
    start = _start(valid_from)
    key_id = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(key_id, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(key_id), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return cert, key


def make_signing_certificate(
    ca_cert: x509.Certificate,
    ca_key: CertificateIssuerPrivateKeyTypes,
    common_name: str,
    public_key: CertificatePublicKeyTypes | None = None,
    valid_from: datetime | None = None,
    days: int = 365,
    key_type: str = "RSA",
    serial: int | None = None,
) -> tuple[x509.Certificate, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None]:
    """An approver certificate from the CA, with a new key pair unless `public_key` is given."""
    private_key = None
    if public_key is None:
        if key_type == "RSA":
            private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif key_type == "EC":
            private_key = ec.generate_private_key(ec.SECP256R1())
        else:
            raise ValueError(f"key_type must be 'RSA' or 'EC', not {key_type!r}")
        public_key = private_key.public_key()
    ca_key_id = _extension(ca_cert, x509.SubjectKeyIdentifier)
    authority_key_id = (
        x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_key_id)
        if ca_key_id is not None
        else x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key())
    )
    start = _start(valid_from)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_bureau_name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number() if serial is None else serial)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(authority_key_id, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, private_key


def to_pem(cert: x509.Certificate) -> bytes:
    """The certificate as PEM."""
    return cert.public_bytes(Encoding.PEM)
