"""Binding an approver's signing certificate: vetted on upload, one key per approver."""

from datetime import UTC
from datetime import datetime
from plone.namedfile.file import NamedBlobFile
from tests.helpers.approval import make_authorization
from zhangdian.approval.certificates import CertificateError
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.content.authorization import IApproverAuthorization
from zhangdian.approval.roster.certificates import bind_certificate
from zhangdian.approval.settings import set_signing_setting
from zhangdian.approval.testing.pki import make_ca
from zhangdian.approval.testing.pki import make_signing_certificate
from zhangdian.approval.testing.pki import to_pem
from zope.i18n import translate
from zope.interface import Invalid

import contextlib
import pytest


START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def pki():
    """A bureau CA, a foreign CA and certificates issued by them."""
    ca_cert, ca_key = make_ca("张店区行政审批服务局 CA", valid_from=START, days=3650)
    foreign_cert, foreign_key = make_ca("Somebody else's CA", valid_from=START, days=3650)
    good, _ = make_signing_certificate(ca_cert, ca_key, "审批员一", valid_from=START)
    other, _ = make_signing_certificate(ca_cert, ca_key, "审批员二", valid_from=START)
    expired, _ = make_signing_certificate(
        ca_cert, ca_key, "审批员一", valid_from=datetime(2024, 1, 1, tzinfo=UTC), days=30
    )
    foreign, _ = make_signing_certificate(foreign_cert, foreign_key, "审批员一", valid_from=START)
    return {"ca": ca_cert, "good": good, "other": other, "expired": expired, "foreign": foreign}


@pytest.fixture(autouse=True)
def mid_2026(clock):
    """Every test runs on 2026-06-01, within the certificates' validity."""
    clock("2026-06-01")


@pytest.fixture
def anchored(portal, pki):
    """The bureau CA configured as the trust anchor."""
    set_signing_setting("trust_anchors", to_pem(pki["ca"]).decode())


def upload(cert):
    """The certificate as an uploaded file."""
    return NamedBlobFile(data=to_pem(cert), filename="approver.pem")


def bind_certificate_upload(authorization, cert):
    """Upload `cert` to the authorisation and bind it."""
    authorization.certificate = upload(cert)
    return bind_certificate(authorization)


def invariant_errors(authorization, certificate):
    """The invariant errors of the schema for these values."""

    class Data:
        approver = authorization.approver
        valid_from = authorization.valid_from
        valid_until = authorization.valid_until

    Data.certificate = certificate
    errors = []
    with contextlib.suppress(Invalid):
        IApproverAuthorization.validateInvariants(Data(), errors)
    return [translate(error.args[0]) for error in errors]


class TestBinding:
    def test_good_certificate_is_bound_with_its_details(self, portal, matter_list, anchored, pki):
        authorization = make_authorization(
            portal["approvers"], "approver1", "2026-01-01", "2026-12-31", ["jmss"]
        )
        authorization.certificate = upload(pki["good"])
        info = bind_certificate(authorization)
        assert authorization.certificate_fingerprint == fingerprint(pki["good"])
        assert "审批员一" in authorization.certificate_subject
        assert authorization.certificate_serial == f"{pki['good'].serial_number:X}"
        assert authorization.certificate_not_after == info.not_after

    @pytest.mark.parametrize(
        ("which", "reason"),
        [("expired", "expired"), ("foreign", "untrusted")],
    )
    def test_refused_certificates(self, portal, matter_list, anchored, pki, which, reason):
        authorization = make_authorization(
            portal["approvers"], "approver1", "2026-01-01", "2026-12-31", ["jmss"]
        )
        authorization.certificate = upload(pki[which])
        with pytest.raises(CertificateError) as caught:
            bind_certificate(authorization)
        assert caught.value.reason == reason
        assert invariant_errors(authorization, upload(pki[which]))

    def test_refusal_is_translated(self, portal, matter_list, anchored, pki):
        """The working group reads why a certificate was refused in Chinese, date filled in."""
        authorization = make_authorization(
            portal["approvers"], "approver1", "2026-01-01", "2026-12-31", ["jmss"]
        )
        with pytest.raises(CertificateError) as caught:
            bind_certificate_upload(authorization, pki["expired"])
        message = translate(caught.value.messages[0], target_language="zh_CN")
        assert message == "该证书已于 2024-01-31 过期。"

    def test_not_yet_valid(self, portal, matter_list, anchored, pki):
        authorization = make_authorization(
            portal["approvers"], "approver1", "2026-01-01", "2026-12-31", ["jmss"]
        )
        authorization.certificate = upload(pki["good"])
        with pytest.raises(CertificateError) as caught:
            bind_certificate(authorization, at=datetime(2025, 6, 1, tzinfo=UTC))
        assert caught.value.reason == "not_yet_valid"

    def test_certificate_of_another_approver_is_refused(self, portal, matter_list, anchored, pki):
        roster = portal["approvers"]
        first = make_authorization(roster, "approver1", "2026-01-01", "2026-12-31", ["jmss"])
        first.certificate = upload(pki["good"])
        bind_certificate(first)
        first.reindexObject()
        second = make_authorization(roster, "approver2", "2026-01-01", "2026-12-31", ["shsw"])
        second.certificate = upload(pki["good"])
        with pytest.raises(CertificateError) as caught:
            bind_certificate(second)
        assert caught.value.reason == "bound_elsewhere"
        assert any("approver1" in error for error in invariant_errors(second, upload(pki["good"])))
        # The same approver's next period may keep the key.
        renewal = make_authorization(roster, "approver1", "2027-01-01", "2027-12-31", ["jmss"])
        renewal.certificate = upload(pki["good"])
        assert bind_certificate(renewal).fingerprint_sha256 == fingerprint(pki["good"])

    def test_without_trust_anchor_nothing_is_bound(self, portal, matter_list, pki):
        authorization = make_authorization(
            portal["approvers"], "approver1", "2026-01-01", "2026-12-31", ["jmss"]
        )
        authorization.certificate = upload(pki["good"])
        with pytest.raises(CertificateError) as caught:
            bind_certificate(authorization)
        assert caught.value.reason == "no_trust_anchor"
        assert authorization.certificate_fingerprint is None

    def test_garbage_is_refused_with_a_message(self, portal, matter_list, anchored):
        authorization = make_authorization(
            portal["approvers"], "approver1", "2026-01-01", "2026-12-31", ["jmss"]
        )
        garbage = NamedBlobFile(data=b"not a certificate", filename="x.pem")
        assert invariant_errors(authorization, garbage)
