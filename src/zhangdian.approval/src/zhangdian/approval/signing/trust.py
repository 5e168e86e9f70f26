"""The one trust decision: may this certificate sign the bureau's decisions at this moment.

`check_signing_certificate` decides when a certificate is bound to an authorisation and when a
decision is prepared; `signer_refusal` asks the same question of a signature's certificate
when `verify` checks a signed PDF. So a certificate accepted at binding is accepted at verify
time for a signature made in its validity, and one refused at binding is refused at verify.

The path is validated by pyhanko_certvalidator on `offline_context`: the anchors alone,
nothing fetched. Around it stand the project's stricter rules, each with its reason code:

* validity at the moment, bounds inclusive, checked first (`not_yet_valid`, `expired`);
* an anchor counts only while it is valid, marked CA and allowed to sign certificates
  (RFC 5280 4.2.1.3); path validation itself trusts any configured root;
* one level only: the path builder gets no intermediates, so an approver certificate must be
  issued directly by an anchor (`untrusted`);
* the issuer signed it over SHA-256/384/512 (`untrusted`);
* it is an end-entity certificate whose KeyUsage, if present, allows digitalSignature or
  nonRepudiation (`not_for_signing`): CA certificates are never bindable;
* its key is RSA of at least 2048 bits or ECDSA on P-256/384/521 (`key_too_weak`).

Revocation is checked against the CRLs handed to `offline_context` (the bureau CA's, and those a
document embeds), nothing fetched. SM2/SM3
(国密) keys cannot be handled by `cryptography`; such certificates are reported, not bound.
"""

from asn1crypto import x509 as asn1_x509
from collections.abc import Iterable
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding
from datetime import UTC
from datetime import datetime
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError
from pyhanko_certvalidator.errors import ValidationError
from zhangdian.approval.certificates import CertificateError
from zhangdian.approval.certificates import CertificateInfo
from zhangdian.approval.certificates import describe
from zhangdian.approval.certificates import is_ca
from zhangdian.approval.certificates import key_type
from zhangdian.approval.certificates import public_key
from zhangdian.approval.signing.asyncio_bridge import run_sync


_SIGNING_CURVES = frozenset({"secp256r1", "secp384r1", "secp521r1"})
_MIN_RSA_BITS = 2048
# SHA-1 certificate signatures can be forged with chosen-prefix collisions.
_SIGNATURE_HASHES = (hashes.SHA256, hashes.SHA384, hashes.SHA512)


def offline_context(
    anchors: Iterable[x509.Certificate], moment: datetime | None = None, crls: Iterable[bytes] = ()
) -> ValidationContext:
    """Validation against `anchors` and `crls` (DER) alone at `moment` (default now)."""
    # The portal reaches no network; with nothing to fetch, soft-fail means "not checked"
    # where no CRL is at hand, and a CRL at hand that lists the certificate still revokes it.
    return ValidationContext(
        trust_roots=[_asn1(anchor) for anchor in anchors],
        crls=list(crls),
        # Long-term validation judges a signature at its timestamp with the CRLs issued since:
        # a later CRL that does not list the certificate as revoked by then is evidence too.
        retroactive_revinfo=True,
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment,
    )


def check_signing_certificate(
    cert: x509.Certificate,
    anchors: Iterable[x509.Certificate],
    at: datetime | None = None,
) -> CertificateInfo:
    """Describe `cert` if an approver may bind it at `at` (default now); else CertificateError."""
    return run_sync(async_check_signing_certificate(cert, anchors, at))


async def async_check_signing_certificate(
    cert: x509.Certificate,
    anchors: Iterable[x509.Certificate],
    at: datetime | None = None,
) -> CertificateInfo:
    """`check_signing_certificate`, for callers already inside an event loop."""
    moment = _as_utc(at)
    if moment < cert.not_valid_before_utc:
        raise CertificateError("not_yet_valid", _date_mapping(cert.not_valid_before_utc))
    if moment > cert.not_valid_after_utc:
        raise CertificateError("expired", _date_mapping(cert.not_valid_after_utc))
    usable = [anchor for anchor in anchors if _usable_anchor(anchor, moment)]
    # An anchor presented as its own certificate passes the trust step so that the usage
    # step can refuse it with the more helpful "not_for_signing".
    if cert not in usable and not await _issued_by_anchor(cert, usable, moment):
        raise CertificateError("untrusted")
    if not _meant_for_signing(cert):
        raise CertificateError("not_for_signing")
    key = public_key(cert)
    if not _strong_enough(key):
        raise CertificateError("key_too_weak", {"key_type": key_type(key)})
    return describe(cert)


async def signer_refusal(
    signer_cert: asn1_x509.Certificate,
    anchors: Iterable[x509.Certificate],
    moment: datetime,
) -> CertificateError | None:
    """Why a signature's certificate would not be bound at `moment`, or None if it would be."""
    try:
        cert = x509.load_der_x509_certificate(signer_cert.dump())
        await async_check_signing_certificate(cert, anchors, moment)
    except CertificateError as error:
        return error
    except ValueError:
        return CertificateError("unreadable")
    return None


async def _issued_by_anchor(
    cert: x509.Certificate, anchors: list[x509.Certificate], moment: datetime
) -> bool:
    """Whether pyhanko_certvalidator finds a valid path anchor → `cert`, with nothing between."""
    if not anchors or not _signed_over_sha2(cert):
        return False
    validator = CertificateValidator(
        _asn1(cert), validation_context=offline_context(anchors, moment)
    )
    try:
        path = await validator.async_validate_path()
    except (PathBuildingError, ValidationError, ValueError):
        return False
    return path.pkix_len == 1


def issuing_anchor(
    cert: x509.Certificate, anchors: Iterable[x509.Certificate], moment: datetime | None = None
) -> x509.Certificate | None:
    """The configured anchor that issued `cert` directly (its signature checks), or None.

    One level only, as the trust decision requires, so the anchor that validated a trusted
    certificate is the one whose key signed it; `verify` names it (subject, fingerprint).
    """
    moment = _as_utc(moment)
    for anchor in anchors:
        if anchor.subject != cert.issuer or not _usable_anchor(anchor, moment):
            continue
        try:
            cert.verify_directly_issued_by(anchor)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            continue
        return anchor
    return None


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    """The same certificate as asn1crypto, which pyHanko works with."""
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


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


def _extension(cert: x509.Certificate, kind: type):
    """The value of the extension of class `kind`, or None if absent."""
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _usable_anchor(anchor: x509.Certificate, moment: datetime) -> bool:
    """Whether the anchor is a CA, valid at `moment`, and allowed to sign certificates."""
    if not anchor.not_valid_before_utc <= moment <= anchor.not_valid_after_utc:
        return False
    usage = _extension(anchor, x509.KeyUsage)
    # RFC 5280 4.2.1.3: a CA key whose usage is restricted must include keyCertSign.
    return is_ca(anchor) and (usage is None or usage.key_cert_sign)


def _signed_over_sha2(cert: x509.Certificate) -> bool:
    """Whether the issuer's signature on `cert` uses SHA-256, SHA-384 or SHA-512."""
    try:
        return isinstance(cert.signature_hash_algorithm, _SIGNATURE_HASHES)
    except UnsupportedAlgorithm:
        return False


def _meant_for_signing(cert: x509.Certificate) -> bool:
    """Whether the certificate is an end-entity certificate whose key may sign documents."""
    if is_ca(cert):
        return False
    usage = _extension(cert, x509.KeyUsage)
    return usage is None or usage.digital_signature or usage.content_commitment


def _strong_enough(key: CertificatePublicKeyTypes | None) -> bool:
    """Whether the key is RSA of at least 2048 bits or EC on a NIST curve from P-256 up."""
    if isinstance(key, rsa.RSAPublicKey):
        return key.key_size >= _MIN_RSA_BITS
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.curve.name in _SIGNING_CURVES
    return False
