"""A throw-away test PKI: a bureau CA and approver certificates, for tests and the demo only.

Nothing here takes part in validating anything; the portal decides trust in `signing.trust`.
"""

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from datetime import UTC
from datetime import datetime
from datetime import timedelta


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
    if valid_from is None:
        valid_from = datetime.now(UTC)
    elif valid_from.tzinfo is None:
        # Naive values are UTC, as everywhere in the certificate code.
        valid_from = valid_from.replace(tzinfo=UTC)
    return valid_from.astimezone(UTC).replace(microsecond=0)


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
    crl_url: str | None = None,
) -> tuple[x509.Certificate, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None]:
    """An approver certificate from the CA, with a new key pair unless `public_key` is given.

    With `crl_url` it names that CRL distribution point, where revocation is looked up.
    """
    private_key = None
    if public_key is None:
        if key_type == "RSA":
            private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif key_type == "EC":
            private_key = ec.generate_private_key(ec.SECP256R1())
        else:
            raise ValueError(f"key_type must be 'RSA' or 'EC', not {key_type!r}")
        public_key = private_key.public_key()
    try:
        ca_key_id = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        ca_key_id = None
    authority_key_id = (
        x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_key_id)
        if ca_key_id is not None
        else x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key())
    )
    start = _start(valid_from)
    builder = (
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
    )
    if crl_url is not None:
        builder = builder.add_extension(crl_distribution_points(crl_url), critical=False)
    return builder.sign(ca_key, hashes.SHA256()), private_key


def crl_distribution_points(url: str) -> x509.CRLDistributionPoints:
    """The extension naming `url` as the one place the certificate's revocation is published."""
    point = x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(url)],
        relative_name=None,
        reasons=None,
        crl_issuer=None,
    )
    return x509.CRLDistributionPoints([point])


def to_pem(cert: x509.Certificate) -> bytes:
    """The certificate as PEM."""
    return cert.public_bytes(Encoding.PEM)


def make_crl(
    ca_cert: x509.Certificate,
    ca_key: CertificateIssuerPrivateKeyTypes,
    revoked: dict[int, datetime] | None = None,
    issued: datetime | None = None,
    days: int = 365,
) -> bytes:
    """The CA's CRL (DER) revoking `revoked` (serial → time), valid `days` from `issued`."""
    start = _start(issued)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(start)
        .next_update(start + timedelta(days=days))
    )
    for serial, when in sorted((revoked or {}).items()):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(Encoding.DER)
