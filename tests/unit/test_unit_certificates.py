"""Reading, describing and vetting approvers' X.509 signing certificates (no Plone needed)."""

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from dataclasses import FrozenInstanceError
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from tests.helpers.signing import CA_START
from zhangdian.approval.certificates import MESSAGES
from zhangdian.approval.certificates import CertificateError
from zhangdian.approval.certificates import CertificateInfo
from zhangdian.approval.certificates import describe
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.certificates import load_certificate
from zhangdian.approval.certificates import load_trust_anchors
from zhangdian.approval.signing.trust import check_signing_certificate
from zhangdian.approval.testing.pki import make_ca
from zhangdian.approval.testing.pki import make_signing_certificate
from zhangdian.approval.testing.pki import to_pem
from zoneinfo import ZoneInfo

import copy
import hashlib
import pytest
import re
import time
import time_machine


LEAF_START = datetime(2026, 1, 1, tzinfo=UTC)
LEAF_END = datetime(2027, 1, 1, tzinfo=UTC)
AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
REASONS = {
    "unreadable",
    "not_yet_valid",
    "expired",
    "untrusted",
    "not_for_signing",
    "key_too_weak",
    "bound_elsewhere",
    "no_trust_anchor",
}
# DER-encoded OIDs (tag, length, value) that the tampering helper swaps in place.
P256_OID = bytes.fromhex("06082A8648CE3D030107")
SM2_OID = bytes.fromhex("06082A811CCF5501822D")
RSA_SHA256_OID = bytes.fromhex("06092A864886F70D01010B")
RSA_SHA1_OID = bytes.fromhex("06092A864886F70D010105")


def reason_of(cert, anchors, at=AT):
    """The reason code with which the check refuses `cert`, or None if it passes."""
    try:
        check_signing_certificate(cert, anchors, at=at)
    except CertificateError as error:
        return error.reason
    return None


def key_usage(**flags):
    """A KeyUsage with only the given flags set."""
    names = [
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    ]
    return x509.KeyUsage(**{name: flags.get(name, False) for name in names})


def weak_rsa_public_key():
    """A fresh RSA-1024 public key (slow-ish, so only for the tests about weak keys)."""
    # Deliberately breakable: the point is that the check refuses it.
    return rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()  # noqa: S505


def issue(
    issuer_name,
    signing_key,
    public_key,
    *,
    common_name="测试审批人",
    ca=False,
    usage=None,
    rsa_padding=None,
    subject=None,
):
    """A certificate built by hand, for shapes that `make_signing_certificate` refuses to make."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject or x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(LEAF_START)
        .not_valid_after(LEAF_END)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    return builder.sign(signing_key, hashes.SHA256(), rsa_padding=rsa_padding)


def tamper(cert, rsa_ca_key, old, new, hash_algorithm):
    """`cert` with DER bytes `old` swapped for `new` and re-signed, for what builders won't make."""
    # Only same-length swaps and RSA-2048 signatures keep every DER length field valid.
    assert len(old) == len(new)
    der = cert.public_bytes(serialization.Encoding.DER)
    assert der.endswith(cert.signature)
    tbs = cert.tbs_certificate_bytes.replace(old, new)
    signature = rsa_ca_key.sign(tbs, padding.PKCS1v15(), hash_algorithm)
    assert len(signature) == len(cert.signature)
    head = der[: -len(signature)].replace(cert.tbs_certificate_bytes, tbs).replace(old, new)
    return x509.load_der_x509_certificate(head + signature)


@pytest.fixture(scope="module")
def rsa_leaf(ca):
    """An RSA-2048 approver certificate from the bureau CA, and its private key."""
    return make_signing_certificate(*ca, "李审批", valid_from=LEAF_START)


@pytest.fixture(scope="module")
def ec_leaf(ca):
    """A P-256 approver certificate from the bureau CA, and its private key."""
    return make_signing_certificate(*ca, "王审批", valid_from=LEAF_START, key_type="EC")


@pytest.fixture(scope="module")
def leaf_public_key(rsa_leaf):
    """An RSA-2048 public key to reuse wherever the key itself does not matter."""
    return rsa_leaf[1].public_key()


@pytest.fixture
def anchors(ca):
    """The trust anchors of the bureau: just its CA."""
    return [ca[0]]


ENCODINGS = {
    "pem": to_pem,
    "pem_in_text_crlf": lambda cert: (
        b"Subject: approver\r\n\r\n  "
        + to_pem(cert).replace(b"\n", b"\r\n")
        + b"\r\n-- exported by the USB key tool\r\n"
    ),
    "pem_indented": lambda cert: b"\n".join(b"    " + line for line in to_pem(cert).splitlines()),
    "pem_text": lambda cert: to_pem(cert).decode("ascii"),
    "der": lambda cert: cert.public_bytes(serialization.Encoding.DER),
}


class TestLoadCertificate:
    """load_certificate: PEM or DER in, one certificate out, anything else is unreadable."""

    @pytest.mark.parametrize("encoding", ENCODINGS)
    def test_every_encoding_gives_the_same_certificate(self, rsa_leaf, encoding):
        """PEM (also in text, with CRLF, indented, as str) and DER load to the same fingerprint."""
        cert = rsa_leaf[0]
        loaded = load_certificate(ENCODINGS[encoding](cert))
        assert fingerprint(loaded) == fingerprint(cert)
        assert loaded == cert

    def test_only_the_first_certificate_of_a_bundle(self, rsa_leaf, ec_leaf):
        """A PEM bundle yields its first certificate only."""
        loaded = load_certificate(to_pem(ec_leaf[0]) + b"\n" + to_pem(rsa_leaf[0]))
        assert loaded == ec_leaf[0]

    def test_64_kib_is_still_accepted(self, rsa_leaf):
        """The size limit is inclusive: exactly 64 KiB loads."""
        pem = to_pem(rsa_leaf[0])
        data = pem + b" " * (64 * 1024 - len(pem))
        assert len(data) == 64 * 1024
        assert load_certificate(data) == rsa_leaf[0]

    @pytest.mark.parametrize(
        "make_data",
        [
            pytest.param(lambda cert, key: b"", id="empty"),
            pytest.param(lambda cert, key: "", id="empty-text"),
            pytest.param(lambda cert, key: b"\x00\xffnot a certificate\n", id="garbage"),
            pytest.param(
                lambda cert, key: key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ),
                id="private-key-pem",
            ),
            pytest.param(
                lambda cert, key: (
                    x509.CertificateSigningRequestBuilder()
                    .subject_name(cert.subject)
                    .sign(key, hashes.SHA256())
                    .public_bytes(serialization.Encoding.PEM)
                ),
                id="certificate-request-pem",
            ),
            pytest.param(
                lambda cert, key: cert.public_bytes(serialization.Encoding.DER)[:-20],
                id="truncated-der",
            ),
            pytest.param(
                lambda cert, key: to_pem(cert).replace(b"\n", b"\n!", 3), id="corrupt-base64"
            ),
            pytest.param(
                lambda cert, key: to_pem(cert).split(b"-----END")[0], id="begin-without-end"
            ),
            pytest.param(
                lambda cert, key: to_pem(cert) + b" " * (64 * 1024), id="more-than-64-kib"
            ),
        ],
    )
    def test_unreadable(self, ec_leaf, make_data):
        """Empty, garbage, a private key, broken encodings and oversize input are unreadable."""
        with pytest.raises(CertificateError) as raised:
            load_certificate(make_data(*ec_leaf))
        assert raised.value.reason == "unreadable"
        assert raised.value.message == MESSAGES["unreadable"]

    def test_unreadable_is_a_value_error(self):
        """Callers that only know ValueError still catch the error, and see the English text."""
        with pytest.raises(ValueError, match=r"not a readable X\.509 certificate"):
            load_certificate(b"nonsense")


class TestDescribe:
    """describe and fingerprint: what the portal shows and stores."""

    def test_names(self, ca, rsa_leaf):
        """Subject and issuer are RFC 4514 strings; the Chinese CN is kept as is."""
        info = describe(rsa_leaf[0])
        assert info.subject == "CN=李审批,O=张店区行政审批服务局,C=CN"
        assert info.common_name == "李审批"
        assert info.issuer == "CN=张店区行政审批服务局 测试CA,O=张店区行政审批服务局,C=CN"
        assert info.issuer == ca[0].subject.rfc4514_string()

    def test_without_common_name(self, ca, leaf_public_key):
        """A subject without CN gives an empty common_name."""
        subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "张店区")])
        cert = issue(ca[0].subject, ca[1], leaf_public_key, subject=subject)
        assert describe(cert).common_name == ""
        assert describe(cert).subject == "O=张店区"

    def test_serial_is_upper_case_hex(self, ca, leaf_public_key):
        """The serial is upper-case hex without a 0x prefix."""
        cert, _ = make_signing_certificate(
            *ca, "李审批", public_key=leaf_public_key, serial=0xABCDEF0123
        )
        assert describe(cert).serial == "ABCDEF0123"

    def test_random_serial_format(self, rsa_leaf):
        """A random serial also round-trips through the hex text."""
        serial = describe(rsa_leaf[0]).serial
        assert re.fullmatch(r"[0-9A-F]+", serial)
        assert int(serial, 16) == rsa_leaf[0].serial_number

    def test_fingerprint_format(self, rsa_leaf):
        """The fingerprint is 32 upper-case hex pairs joined by colons, in both places."""
        info = describe(rsa_leaf[0])
        assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", info.fingerprint_sha256)
        assert info.fingerprint_sha256 == fingerprint(rsa_leaf[0])

    def test_fingerprint_is_sha256_of_der(self, rsa_leaf):
        """The fingerprint is the SHA-256 of the DER encoding."""
        der = rsa_leaf[0].public_bytes(serialization.Encoding.DER)
        digest = hashlib.sha256(der).hexdigest().upper()
        expected = ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
        assert fingerprint(rsa_leaf[0]) == expected

    def test_validity_is_aware_utc(self, rsa_leaf):
        """not_before/not_after are timezone-aware UTC datetimes."""
        info = describe(rsa_leaf[0])
        assert info.not_before == LEAF_START
        assert info.not_after == LEAF_END
        for moment in (info.not_before, info.not_after):
            assert moment.tzinfo is not None
            assert moment.utcoffset() == timedelta(0)

    def test_key_type_rsa(self, rsa_leaf):
        """An RSA-2048 key is labelled RSA-2048."""
        assert describe(rsa_leaf[0]).key_type == "RSA-2048"

    def test_key_type_ec(self, ec_leaf):
        """A P-256 key is labelled by its curve name."""
        assert describe(ec_leaf[0]).key_type == "EC-secp256r1"

    def test_der_round_trips(self, rsa_leaf):
        """The stored DER loads back to the same certificate."""
        info = describe(rsa_leaf[0])
        assert load_certificate(info.der) == rsa_leaf[0]

    def test_info_is_frozen(self, rsa_leaf):
        """CertificateInfo cannot be changed after the fact."""
        info = describe(rsa_leaf[0])
        assert isinstance(info, CertificateInfo)
        with pytest.raises(FrozenInstanceError):
            info.subject = "CN=someone else"


class TestCheckAccepts:
    """check_signing_certificate: certificates that may be bound."""

    @pytest.mark.parametrize("leaf", ["rsa_leaf", "ec_leaf"])
    def test_valid_certificates_pass(self, request, anchors, leaf):
        """Valid RSA and EC approver certificates pass and are described."""
        cert = request.getfixturevalue(leaf)[0]
        assert check_signing_certificate(cert, anchors, at=AT) == describe(cert)

    @pytest.mark.parametrize("at", [LEAF_START, LEAF_END], ids=["not_before", "not_after"])
    def test_validity_bounds_are_inclusive(self, rsa_leaf, anchors, at):
        """The first and the last second of the validity period are inside it."""
        assert reason_of(rsa_leaf[0], anchors, at=at) is None

    @pytest.mark.parametrize(
        "usage",
        [
            pytest.param(None, id="no-key-usage"),
            pytest.param(key_usage(digital_signature=True), id="digital-signature"),
            pytest.param(key_usage(content_commitment=True), id="non-repudiation"),
        ],
    )
    def test_key_usage_allowing_signatures(self, ca, anchors, leaf_public_key, usage):
        """Without KeyUsage, or with either signing bit, a certificate is for signing."""
        cert = issue(ca[0].subject, ca[1], leaf_public_key, usage=usage)
        assert reason_of(cert, anchors) is None

    @pytest.mark.parametrize("curve", [ec.SECP384R1(), ec.SECP521R1()], ids=lambda c: c.name)
    def test_larger_nist_curves(self, ca, anchors, curve):
        """P-384 and P-521 keys are accepted too."""
        public_key = ec.generate_private_key(curve).public_key()
        cert, _ = make_signing_certificate(
            *ca, "李审批", public_key=public_key, valid_from=LEAF_START
        )
        assert check_signing_certificate(cert, anchors, at=AT).key_type == f"EC-{curve.name}"

    def test_rsa_pss_signature(self, ca, anchors, leaf_public_key):
        """A certificate the CA signed with RSA-PSS verifies."""
        pss = padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.DIGEST_LENGTH)
        cert = issue(ca[0].subject, ca[1], leaf_public_key, rsa_padding=pss)
        assert isinstance(cert.signature_algorithm_parameters, padding.PSS)
        assert reason_of(cert, anchors) is None

    def test_ecdsa_anchor(self, leaf_public_key):
        """An EC bureau CA (ECDSA signatures) works as an anchor."""
        ec_ca, ec_ca_key = make_ca(valid_from=CA_START, key=ec.generate_private_key(ec.SECP384R1()))
        cert, _ = make_signing_certificate(
            ec_ca, ec_ca_key, "李审批", public_key=leaf_public_key, valid_from=LEAF_START
        )
        assert reason_of(cert, [ec_ca]) is None

    def test_two_anchors_accept_either(self, ca, other_ca, rsa_leaf, leaf_public_key):
        """With a bundle of two anchors, certificates from either CA pass."""
        anchors = load_trust_anchors(to_pem(ca[0]) + to_pem(other_ca[0]))
        other_leaf, _ = make_signing_certificate(
            *other_ca, "赵审批", public_key=leaf_public_key, valid_from=LEAF_START
        )
        assert reason_of(rsa_leaf[0], anchors) is None
        assert reason_of(other_leaf, anchors) is None

    def test_key_rollover_anchors_with_the_same_name(self, ca, rsa_leaf, leaf_public_key):
        """Of two anchors with the same name, the one whose key signed the certificate counts."""
        new_ca, _ = make_ca(valid_from=CA_START, key=rsa_leaf[1])
        assert new_ca.subject == ca[0].subject
        assert reason_of(rsa_leaf[0], [new_ca, ca[0]]) is None


class TestCheckTime:
    """check_signing_certificate: the validity period, at an explicit or the current moment."""

    def test_one_second_before_not_before(self, rsa_leaf, anchors):
        """One second before not_before the certificate is not yet valid; the date is given."""
        with pytest.raises(CertificateError) as raised:
            check_signing_certificate(rsa_leaf[0], anchors, at=LEAF_START - SECOND)
        assert raised.value.reason == "not_yet_valid"
        assert raised.value.message == "The certificate only becomes valid on 2026-01-01."

    def test_one_second_after_not_after(self, rsa_leaf, anchors):
        """One second after not_after the certificate has expired; the date is given."""
        with pytest.raises(CertificateError) as raised:
            check_signing_certificate(rsa_leaf[0], anchors, at=LEAF_END + SECOND)
        assert raised.value.reason == "expired"
        assert raised.value.message == "The certificate expired on 2027-01-01."
        assert str(raised.value) == raised.value.message
        assert raised.value.mapping["moment"] == "2027-01-01T00:00:00+00:00"

    @pytest.fixture
    def local_time_far_from_utc(self, monkeypatch):
        """Set the process time zone to New York, so that reading naive times as local shows."""
        monkeypatch.setenv("TZ", "America/New_York")
        time.tzset()
        yield
        monkeypatch.undo()
        time.tzset()

    @pytest.mark.usefixtures("local_time_far_from_utc")
    def test_naive_datetimes_are_utc(self, rsa_leaf, anchors):
        """A naive `at` is read as UTC, not as local time."""
        naive_end = LEAF_END.replace(tzinfo=None)
        assert reason_of(rsa_leaf[0], anchors, at=naive_end) is None
        assert reason_of(rsa_leaf[0], anchors, at=naive_end + SECOND) == "expired"

    def test_other_time_zones_are_converted(self, rsa_leaf, anchors):
        """An aware `at` in Beijing time is compared as the same instant in UTC."""
        beijing = ZoneInfo("Asia/Shanghai")
        end_in_beijing = datetime(2027, 1, 1, 8, 0, tzinfo=beijing)
        assert end_in_beijing == LEAF_END
        assert reason_of(rsa_leaf[0], anchors, at=end_in_beijing) is None
        assert reason_of(rsa_leaf[0], anchors, at=end_in_beijing + SECOND) == "expired"

    @pytest.mark.parametrize(
        ("now", "reason"),
        [
            (LEAF_START - SECOND, "not_yet_valid"),
            (AT, None),
            (LEAF_END, None),
            (LEAF_END + SECOND, "expired"),
        ],
    )
    def test_default_is_the_clock(self, rsa_leaf, anchors, now, reason):
        """Without `at`, the check uses the current time."""
        with time_machine.travel(now, tick=False):
            assert reason_of(rsa_leaf[0], anchors, at=None) == reason

    def test_validity_is_checked_first(self, other_ca, leaf_public_key, anchors):
        """An expired certificate is reported as expired even if it is also untrusted."""
        cert, _ = make_signing_certificate(
            *other_ca, "李审批", public_key=leaf_public_key, valid_from=LEAF_START
        )
        assert reason_of(cert, anchors) == "untrusted"
        assert reason_of(cert, anchors, at=LEAF_END + SECOND) == "expired"


class TestCheckTrust:
    """check_signing_certificate: issued directly by a usable trust anchor, or untrusted."""

    def test_issued_by_another_ca(self, other_ca, leaf_public_key, anchors):
        """A certificate from a CA that is not an anchor is untrusted."""
        cert, _ = make_signing_certificate(
            *other_ca, "李审批", public_key=leaf_public_key, valid_from=LEAF_START
        )
        with pytest.raises(CertificateError) as raised:
            check_signing_certificate(cert, anchors, at=AT)
        assert raised.value.reason == "untrusted"
        assert raised.value.message == (
            "The certificate was not issued by a trust anchor configured for this bureau."
        )

    def test_no_anchors(self, rsa_leaf):
        """Without any anchor nothing is trusted."""
        assert reason_of(rsa_leaf[0], []) == "untrusted"

    def test_self_signed_leaf(self, rsa_leaf, anchors):
        """A self-signed end-entity certificate is untrusted."""
        name = rsa_leaf[0].subject
        cert = issue(name, rsa_leaf[1], rsa_leaf[1].public_key(), subject=name)
        assert cert.issuer == cert.subject
        assert reason_of(cert, anchors) == "untrusted"

    def test_same_issuer_name_different_key(self, ca, other_ca, anchors, leaf_public_key):
        """A look-alike CA with the anchor's exact name but another key is not trusted."""
        impostor, impostor_key = make_ca(valid_from=CA_START, key=other_ca[1])
        assert impostor.subject == ca[0].subject
        cert, _ = make_signing_certificate(
            impostor, impostor_key, "李审批", public_key=leaf_public_key, valid_from=LEAF_START
        )
        assert cert.issuer == ca[0].subject
        assert reason_of(cert, anchors) == "untrusted"

    def test_expired_anchor(self, ca, rsa_leaf):
        """An anchor that has expired at `at` no longer vouches for anything."""
        old_ca, _ = make_ca(valid_from=CA_START, days=30, key=ca[1])
        assert reason_of(rsa_leaf[0], [old_ca]) == "untrusted"
        assert reason_of(rsa_leaf[0], [old_ca, ca[0]]) is None

    def test_anchor_not_yet_valid(self, ca, rsa_leaf):
        """An anchor that only starts after `at` does not vouch either."""
        future_ca, _ = make_ca(valid_from=AT + SECOND, key=ca[1])
        assert reason_of(rsa_leaf[0], [future_ca]) == "untrusted"

    def test_anchor_must_be_a_ca(self, rsa_leaf, ec_leaf):
        """A non-CA certificate configured as anchor vouches for nothing, even if it signed."""
        leaf, leaf_key = rsa_leaf
        cert = issue(leaf.subject, leaf_key, ec_leaf[1].public_key())
        assert reason_of(cert, [leaf]) == "untrusted"

    def test_anchor_key_usage_must_allow_certificate_signing(self, ca, rsa_leaf):
        """A CA whose KeyUsage lacks keyCertSign cannot issue approver certificates."""
        name, key = ca[0].subject, ca[1]
        crippled = issue(
            name, key, key.public_key(), subject=name, ca=True, usage=key_usage(crl_sign=True)
        )
        assert reason_of(rsa_leaf[0], [crippled]) == "untrusted"

    def test_sha1_signature(self, ca, anchors, rsa_leaf):
        """A signature over SHA-1 does not count, even when it verifies."""
        # SHA-1 is the weakness under test, so the insecure-hash lint does not apply.
        sha1 = hashes.SHA1()  # noqa: S303
        cert = tamper(rsa_leaf[0], ca[1], RSA_SHA256_OID, RSA_SHA1_OID, sha1)
        assert isinstance(cert.signature_hash_algorithm, hashes.SHA1)
        ca[0].public_key().verify(
            cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), sha1
        )
        assert reason_of(cert, anchors) == "untrusted"

    def test_tampered_certificate(self, ca, anchors, rsa_leaf):
        """A certificate changed after signing no longer verifies."""
        der = bytearray(rsa_leaf[0].public_bytes(serialization.Encoding.DER))
        position = der.index("李审批".encode())
        der[position : position + 3] = "王".encode()
        cert = load_certificate(bytes(der))
        assert describe(cert).common_name == "王审批"
        assert reason_of(cert, anchors) == "untrusted"


class TestCheckUsage:
    """check_signing_certificate: only end-entity signing certificates with strong keys."""

    def test_ca_issued_by_the_anchor(self, ca, anchors, leaf_public_key):
        """A sub-CA certificate from the anchor is trusted but not for signing."""
        cert = issue(
            ca[0].subject, ca[1], leaf_public_key, ca=True, usage=key_usage(key_cert_sign=True)
        )
        with pytest.raises(CertificateError) as raised:
            check_signing_certificate(cert, anchors, at=AT)
        assert raised.value.reason == "not_for_signing"
        assert raised.value.message == MESSAGES["not_for_signing"]

    def test_the_anchor_itself(self, ca, anchors):
        """The bureau CA presented as an approver certificate is not for signing."""
        assert reason_of(ca[0], anchors) == "not_for_signing"

    def test_non_self_signed_anchor_itself(self, ca, leaf_public_key):
        """An anchor that is itself issued elsewhere is still refused as not for signing."""
        sub_ca = issue(
            ca[0].subject, ca[1], leaf_public_key, ca=True, usage=key_usage(key_cert_sign=True)
        )
        assert reason_of(sub_ca, [sub_ca]) == "not_for_signing"

    def test_key_usage_without_signing(self, ca, anchors, leaf_public_key):
        """A key-encipherment-only certificate is not for signing."""
        usage = key_usage(key_encipherment=True, data_encipherment=True)
        cert = issue(ca[0].subject, ca[1], leaf_public_key, usage=usage)
        assert reason_of(cert, anchors) == "not_for_signing"

    def test_rsa_1024(self, ca, anchors):
        """An RSA-1024 key is too weak; the message names the key."""
        weak_key = weak_rsa_public_key()
        cert, _ = make_signing_certificate(
            *ca, "李审批", public_key=weak_key, valid_from=LEAF_START
        )
        with pytest.raises(CertificateError) as raised:
            check_signing_certificate(cert, anchors, at=AT)
        assert raised.value.reason == "key_too_weak"
        assert "(RSA-1024)" in raised.value.message
        assert describe(cert).key_type == "RSA-1024"

    @pytest.mark.parametrize("curve", [ec.SECP256K1(), ec.SECP224R1()], ids=lambda c: c.name)
    def test_other_curves(self, ca, anchors, curve):
        """EC keys on curves other than P-256/384/521 are refused."""
        public_key = ec.generate_private_key(curve).public_key()
        cert, _ = make_signing_certificate(
            *ca, "李审批", public_key=public_key, valid_from=LEAF_START
        )
        with pytest.raises(CertificateError) as raised:
            check_signing_certificate(cert, anchors, at=AT)
        assert raised.value.reason == "key_too_weak"
        assert f"(EC-{curve.name})" in raised.value.message

    def test_sm2_key(self, ca, anchors, ec_leaf):
        """An SM2 (国密) key loads and is described, but cannot be bound."""
        cert = tamper(ec_leaf[0], ca[1], P256_OID, SM2_OID, hashes.SHA256())
        reloaded = load_certificate(to_pem(cert))
        assert describe(reloaded).key_type == "unsupported"
        with pytest.raises(CertificateError) as raised:
            check_signing_certificate(reloaded, anchors, at=AT)
        assert raised.value.reason == "key_too_weak"
        assert "(unsupported)" in raised.value.message

    def test_usage_is_checked_before_key_strength(self, ca, anchors):
        """A weak-keyed sub-CA is reported as not for signing, the earlier check."""
        weak_key = weak_rsa_public_key()
        cert = issue(ca[0].subject, ca[1], weak_key, ca=True)
        assert reason_of(cert, anchors) == "not_for_signing"

    def test_trust_is_checked_before_usage(self, other_ca, anchors):
        """A foreign CA certificate is untrusted rather than not for signing."""
        assert reason_of(other_ca[0], anchors) == "untrusted"


class TestLoadTrustAnchors:
    """load_trust_anchors: every certificate of a PEM bundle."""

    def test_two_certificates(self, ca, other_ca):
        """A bundle with two certificates (and comments in between) gives both, in order."""
        bundle = b"# bureau CA\n" + to_pem(ca[0]) + b"\r\n# other CA\r\n" + to_pem(other_ca[0])
        assert load_trust_anchors(bundle) == [ca[0], other_ca[0]]

    def test_text(self, ca):
        """A bundle may be given as text."""
        assert load_trust_anchors(to_pem(ca[0]).decode("ascii")) == [ca[0]]

    @pytest.mark.parametrize(
        "make_bundle",
        [
            pytest.param(lambda cert: b"", id="empty"),
            pytest.param(lambda cert: b"# no certificates configured yet\n", id="comment"),
            pytest.param(
                lambda cert: cert.public_bytes(serialization.Encoding.DER), id="der-not-pem"
            ),
            pytest.param(
                lambda cert: to_pem(cert) + to_pem(cert).replace(b"\n", b"\n?", 2),
                id="one-corrupt-block",
            ),
        ],
    )
    def test_unreadable(self, ca, make_bundle):
        """A bundle without a (readable) certificate block is unreadable as a whole."""
        with pytest.raises(CertificateError) as raised:
            load_trust_anchors(make_bundle(ca[0]))
        assert raised.value.reason == "unreadable"


class TestCertificateError:
    """The error type and its messages."""

    def test_every_reason_has_a_message(self):
        """MESSAGES covers exactly the documented reasons, and each renders."""
        assert set(MESSAGES) == REASONS
        mapping = {
            "date": "2026-01-31",
            "moment": "2026-01-31T00:00:00+00:00",
            "key_type": "X",
            "approver": "a",
        }
        for reason in REASONS:
            message = CertificateError(reason, mapping).message
            assert message.endswith(".")
            assert "$" not in message

    def test_survives_copying(self):
        """The error can be copied (and so pickled) with its reason and message intact."""
        error = CertificateError("expired", {"date": "2026-01-31"})
        copied = copy.deepcopy(error)
        assert copied.reason == "expired"
        assert copied.message == "The certificate expired on 2026-01-31."
        assert str(copied) == copied.message


class TestTestPki:
    """The make_* helpers behind the tests and the demo command."""

    def test_ca(self, ca):
        """make_ca builds a self-signed CA that may sign certificates."""
        cert, key = ca
        assert cert.issuer == cert.subject
        assert describe(cert).common_name == "张店区行政审批服务局 测试CA"
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
        assert describe(cert).key_type == "RSA-2048"
        assert cert.public_key() == key.public_key()
        cert.verify_directly_issued_by(cert)

    def test_ca_starts_now_by_default(self, ca):
        """Without valid_from the CA starts at the current (whole) second."""
        with time_machine.travel(datetime(2026, 3, 15, 8, 30, 5, 700, tzinfo=UTC), tick=False):
            cert, _ = make_ca(days=10, key=ca[1])
        assert cert.not_valid_before_utc == datetime(2026, 3, 15, 8, 30, 5, tzinfo=UTC)
        assert cert.not_valid_after_utc == datetime(2026, 3, 25, 8, 30, 5, tzinfo=UTC)

    def test_signing_certificate(self, ca, rsa_leaf):
        """Approver certificates carry the documented extensions and bureau name."""
        cert, key = rsa_leaf
        extensions = cert.extensions
        usage = extensions.get_extension_for_class(x509.KeyUsage).value
        assert usage.digital_signature
        assert usage.content_commitment
        assert not usage.key_cert_sign
        assert not extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        key_id = extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        assert key_id == x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        ca_key_id = ca[0].extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        authority_key_id = extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        assert authority_key_id.key_identifier == ca_key_id.digest
        assert describe(cert).subject == "CN=李审批,O=张店区行政审批服务局,C=CN"
        assert cert.public_key() == key.public_key()
        cert.verify_directly_issued_by(ca[0])

    def test_signing_certificate_for_a_token_key(self, ca, leaf_public_key):
        """Given a public key (as from a PKCS#11 token), no private key is returned."""
        cert, key = make_signing_certificate(*ca, "李审批", public_key=leaf_public_key)
        assert key is None
        assert cert.public_key() == leaf_public_key

    def test_signing_certificate_rejects_unknown_key_type(self, ca):
        """Only RSA and EC key pairs can be generated."""
        with pytest.raises(ValueError, match="key_type"):
            make_signing_certificate(*ca, "李审批", key_type="DSA")

    def test_to_pem(self, rsa_leaf):
        """to_pem gives one PEM CERTIFICATE block."""
        pem = to_pem(rsa_leaf[0])
        assert pem.startswith(b"-----BEGIN CERTIFICATE-----\n")
        assert pem.endswith(b"-----END CERTIFICATE-----\n")
        assert load_certificate(pem) == rsa_leaf[0]
