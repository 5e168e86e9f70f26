"""Reading and describing the X.509 certificates that approvers bind to their authorisation.

Approvers sign with a personal USB key; the portal keeps only their certificate. This module
reads certificates (PEM or DER, trust-anchor bundles), describes them for display and storage,
and names the reasons a certificate is refused (`CertificateError`, `MESSAGES`). Whether one
may be bound, and whether a signature's certificate is trusted, is decided in one place:
`zhangdian.approval.signing.trust`.

Nothing here depends on Plone.
"""

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed448
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from dataclasses import dataclass
from datetime import datetime
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
        key_type=key_type(public_key(cert)),
        der=cert.public_bytes(Encoding.DER),
    )


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


def public_key(cert: x509.Certificate) -> CertificatePublicKeyTypes | None:
    """The certificate's public key, or None for kinds `cryptography` cannot load (e.g. SM2)."""
    try:
        return cert.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return None


def key_type(key: CertificatePublicKeyTypes | None) -> str:
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
