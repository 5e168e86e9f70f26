"""One trust decision: a certificate bound at a moment is trusted at verify, and vice versa."""

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa
from datetime import timedelta
from io import BytesIO
from reportlab.pdfgen.canvas import Canvas
from tests.helpers.signing import CA_START
from tests.unit.test_unit_certificates import AT
from tests.unit.test_unit_certificates import LEAF_START
from tests.unit.test_unit_certificates import RSA_SHA1_OID
from tests.unit.test_unit_certificates import RSA_SHA256_OID
from tests.unit.test_unit_certificates import issue
from tests.unit.test_unit_certificates import key_usage
from tests.unit.test_unit_certificates import reason_of
from tests.unit.test_unit_certificates import tamper
from zhangdian.approval.signing.prepare import complete
from zhangdian.approval.signing.prepare import prepare
from zhangdian.approval.signing.verify import verify
from zhangdian.approval.testing.pki import make_ca
from zhangdian.approval.testing.pki import make_signing_certificate

import pytest
import time_machine


def rsa_key(bits=2048):
    """A fresh RSA key (1024 bits only for the case about weak keys)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def leaf(ca, key, **options):
    """An approver certificate from `ca` over `key`'s public key, valid from LEAF_START."""
    cert, _ = make_signing_certificate(
        *ca, "李审批", public_key=key.public_key(), valid_from=LEAF_START, **options
    )
    return cert, key


def hand_made(issuer, key, **options):
    """A certificate `issue` builds from `issuer` over `key`, for shapes the factory won't make."""
    return issue(issuer[0].subject, issuer[1], key.public_key(), **options), key


def sub_ca_leaf(ca, key):
    """An approver certificate from a sub-CA of the anchor: one level too many."""
    # The sub-CA's own certificate is never configured as an anchor, so it need not exist.
    sub_key = rsa_key()
    sub_name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "子CA")])
    return issue(sub_name, sub_key, key.public_key()), key


def sha1_leaf(ca, key):
    """An approver certificate whose issuer signed it over SHA-1."""
    cert, _ = leaf(ca, key)
    sha1 = hashes.SHA1()  # noqa: S303 - the weakness under test
    return tamper(cert, ca[1], RSA_SHA256_OID, RSA_SHA1_OID, sha1), key


def self_signed(ca, key):
    """A self-signed end-entity certificate."""
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "李审批")])
    return issue(name, key, key.public_key(), subject=name), key


def impostor_leaf(ca, key):
    """An approver certificate from a CA with the anchor's name but another key."""
    impostor = make_ca(valid_from=CA_START)
    return leaf(impostor, key)


# name → (make(ca, other_ca) → (certificate, private key), reason at binding or None)
CASES = {
    "rsa": (lambda ca, other: leaf(ca, rsa_key()), None),
    "ec": (lambda ca, other: leaf(ca, ec.generate_private_key(ec.SECP256R1())), None),
    "p384": (lambda ca, other: leaf(ca, ec.generate_private_key(ec.SECP384R1())), None),
    "no-key-usage": (lambda ca, other: hand_made(ca, rsa_key()), None),
    "non-repudiation": (
        lambda ca, other: hand_made(ca, rsa_key(), usage=key_usage(content_commitment=True)),
        None,
    ),
    "pss-issued": (
        lambda ca, other: hand_made(
            ca,
            rsa_key(),
            rsa_padding=padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.DIGEST_LENGTH),
        ),
        None,
    ),
    "other-ca": (lambda ca, other: leaf(other, rsa_key()), "untrusted"),
    "impostor-ca": (lambda ca, other: impostor_leaf(ca, rsa_key()), "untrusted"),
    "self-signed": (lambda ca, other: self_signed(ca, rsa_key()), "untrusted"),
    "sub-ca-issued": (lambda ca, other: sub_ca_leaf(ca, rsa_key()), "untrusted"),
    "sha1-issued": (lambda ca, other: sha1_leaf(ca, rsa_key()), "untrusted"),
    "ca-certificate": (
        lambda ca, other: hand_made(
            ca, rsa_key(), ca=True, usage=key_usage(digital_signature=True, key_cert_sign=True)
        ),
        "not_for_signing",
    ),
    "encipherment-only": (
        lambda ca, other: hand_made(ca, rsa_key(), usage=key_usage(key_encipherment=True)),
        "not_for_signing",
    ),
    # Deliberately breakable: the point is that both paths refuse it.
    "rsa-1024": (lambda ca, other: leaf(ca, rsa_key(1024)), "key_too_weak"),
    "secp256k1": (
        lambda ca, other: leaf(ca, ec.generate_private_key(ec.SECP256K1())),
        "key_too_weak",
    ),
    "expired": (lambda ca, other: leaf(ca, rsa_key(), days=30), "expired"),
}


@pytest.fixture(scope="module")
def unsigned_pdf():
    """A one-page PDF to sign."""
    buffer = BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "decision")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def sign_in_software(pdf_bytes, cert, key):
    """`pdf_bytes` signed by `key` through prepare and complete, as a token would."""
    prepared = prepare(pdf_bytes, cert)
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(prepared.data_to_sign, padding.PKCS1v15(), hashes.SHA256())
    else:
        signature = key.sign(prepared.data_to_sign, ec.ECDSA(hashes.SHA256()))
    return complete(prepared.state, signature)


@pytest.mark.parametrize("case", CASES)
def test_binding_and_verify_agree(ca, other_ca, unsigned_pdf, case):
    """Binding and verify give one verdict on a signature made at the moment of binding."""
    make, expected = CASES[case]
    cert, key = make(ca, other_ca)
    assert reason_of(cert, [ca[0]], at=AT) == expected
    with time_machine.travel(AT + timedelta(minutes=1)):
        assert reason_of(cert, [ca[0]], at=None) == expected
        signed = sign_in_software(unsigned_pdf, cert, key)
        verification = verify(signed, [ca[0]])
    assert verification.trusted is (expected is None)
    assert verification.ok is (expected is None)
