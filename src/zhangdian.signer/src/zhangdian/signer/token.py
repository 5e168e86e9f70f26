"""Reading the certificate of, and signing with, a PKCS#11 token (USB key or HSM).

`sign_data_with_token` is the one place that signs with a PKCS#11 key; the agent and the
portal's server-side signing both use it. Keys are found by label, or as the only end-entity
certificate and its private key (same CKA_ID) on the token. Everything goes through the
library's worker thread.
"""

from cryptography import x509
from pkcs11 import Attribute
from pkcs11 import CertificateType
from pkcs11 import KeyType
from pkcs11 import Mechanism
from pkcs11 import ObjectClass
from pkcs11.exceptions import MechanismInvalid
from pkcs11.util.ec import encode_ecdsa_signature
from zhangdian.signer import pkcs11_worker
from zhangdian.signer.errors import KeyNotFound
from zhangdian.signer.errors import UnsupportedTokenKey

import hashlib


# DER DigestInfo prefix for SHA-256 (RFC 8017, 9.2 note 1), for tokens without SHA256_RSA_PKCS.
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def token_certificate(
    library_path: str, token_label: str, key_label: str | None = None
) -> x509.Certificate:
    """The signing certificate on the token; certificates are public, so no PIN is needed."""
    cert_der = pkcs11_worker.run(library_path, _read_certificate, token_label, key_label)
    return x509.load_der_x509_certificate(cert_der)


def sign_data_with_token(
    library_path: str,
    token_label: str,
    pin: str,
    data_to_sign: bytes,
    key_label: str | None = None,
) -> tuple[bytes, bytes]:
    """Sign `data_to_sign` with SHA-256 on the token; return (signature, certificate DER)."""
    return pkcs11_worker.run(library_path, _sign, token_label, pin, bytes(data_to_sign), key_label)


# --- worker jobs ---------------------------------------------------------------------------


def _read_certificate(library, token_label, key_label) -> bytes:
    """Worker job: the DER of the signing certificate."""
    with pkcs11_worker.open_session(library, token_label) as session:
        return _signing_certificate(session, token_label, key_label)[Attribute.VALUE]


def _sign(library, token_label, pin, data, key_label) -> tuple[bytes, bytes]:
    """Worker job: log in, find the key next to the certificate and sign `data`."""
    with pkcs11_worker.open_session(library, token_label, pin) as session:
        certificate = _signing_certificate(session, token_label, key_label)
        key = _private_key_for(session, certificate, token_label, key_label)
        return _sign_with(key, data), certificate[Attribute.VALUE]


def _signing_certificate(session, token_label, key_label):
    """The certificate labelled `key_label`, or the token's only end-entity certificate."""
    template = {
        Attribute.CLASS: ObjectClass.CERTIFICATE,
        Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
    }
    if key_label is not None:
        template[Attribute.LABEL] = key_label
    candidates = [obj for obj in session.get_objects(template) if not _is_ca(obj[Attribute.VALUE])]
    if len(candidates) != 1:
        raise KeyNotFound(token_label, key_label, "ambiguous" if candidates else "missing")
    return candidates[0]


def _private_key_for(session, certificate, token_label, key_label):
    """The private key with the certificate's CKA_ID (or its label)."""
    for attribute in (Attribute.ID, Attribute.LABEL):
        value = certificate[attribute]
        if not value:
            continue
        keys = list(
            session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, attribute: value})
        )
        if len(keys) == 1:
            return keys[0]
    raise KeyNotFound(token_label, key_label)


def _sign_with(key, data: bytes) -> bytes:
    """A SHA-256 signature of `data`: RSA PKCS#1 v1.5, or ECDSA in DER."""
    if key.key_type == KeyType.RSA:
        try:
            return key.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS)
        except MechanismInvalid:
            # Some USB keys only offer raw PKCS#1 v1.5 over a DigestInfo.
            digest_info = _SHA256_DIGEST_INFO + hashlib.sha256(data).digest()
            return key.sign(digest_info, mechanism=Mechanism.RSA_PKCS)
    if key.key_type == KeyType.EC:
        # SoftHSM (and many tokens) lack CKM_ECDSA_SHA256: hash here, sign the digest raw.
        raw = key.sign(hashlib.sha256(data).digest(), mechanism=Mechanism.ECDSA)
        return encode_ecdsa_signature(raw)
    raise UnsupportedTokenKey(key.key_type.name)


def _is_ca(cert_der: bytes) -> bool:
    """Whether a certificate on the token is a CA certificate (some tokens carry the chain)."""
    try:
        constraints = x509.load_der_x509_certificate(cert_der).extensions.get_extension_for_class(
            x509.BasicConstraints
        )
    except x509.ExtensionNotFound:
        return False
    except ValueError:
        return True
    return constraints.value.ca
