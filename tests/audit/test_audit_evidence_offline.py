"""The portal's evidence bundle of a decision signed on SoftHSM2 passes zhangdian-verify.

The portal does not write log/ yet (the transparency log is another branch's part): the test
adds it with merkle.py and a test log key over the bundle's own journal entries. Once the
portal writes log/, drop `with_log` here and verify the exported bundle as it is.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from plone.namedfile.file import NamedBlobFile
from tests.helpers.approval import act
from tests.helpers.approval import complete_checklist
from tests.helpers.approval import decide
from tests.helpers.bundles import log_key
from tests.helpers.bundles import public_pem
from tests.helpers.bundles import read_bundle
from tests.helpers.bundles import with_log
from tests.helpers.bundles import write_bundle
from zhangdian.approval.audit.evidence import evidence_bundle
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.settings import set_signing_setting
from zhangdian.approval.signing.archive_job import renew_due_archive_timestamps
from zhangdian.approval.signing.decision import SignatureRefused
from zhangdian.approval.signing.public_verify import verify_decision
from zhangdian.approval.testing.pki import make_crl
from zhangdian.verify.checks import verify_bundle

import json
import pytest


@pytest.fixture
def in_march(clock):
    """The clock at 1 March 2026 before the roster is made, so its grants precede decisions."""
    clock("2026-03-01")


@pytest.fixture
def export(in_march, portal, keys, submit, clock, tsa_url):
    """Approve an application with a timestamped signature on 2 March 2026; its bundle's files."""
    set_signing_setting("timestamp_url", tsa_url)
    yield lambda: _decide_and_export(portal, submit, clock)
    keys.crl.revoked.clear()
    keys.crl.reissue()


@pytest.fixture
def exported(export):
    return export()


def _decide_and_export(portal, submit, clock):
    clock("2026-03-02")
    application = submit("XK-T-001")
    login(portal, "member")
    try:
        application.invokeFactory(
            "SubmittedMaterial",
            "m0",
            material="m0",
            title="申请书",
            file=NamedBlobFile(data=b"%PDF-1.4 form", filename="申请书.pdf"),
        )
    finally:
        logout()
    act(portal, application, "accept", "approver1")
    complete_checklist(application)
    decide(portal, application, "approve", "approver1")
    return application, read_bundle(evidence_bundle(application))


def test_the_exported_bundle_carries_what_the_verifier_needs(exported, keys):
    application, files = exported
    assert "certificates/bureau-ca-1.pem" in files
    assert [name for name in files if name.startswith("crls/")] == ["crls/01.crl"]
    authorization = json.loads(files["authorization.json"])
    assert authorization["uid"] == application.signature["authorization_uid"]
    assert authorization["state_at_decision"] == "active"
    assert authorization["certificate_fingerprint"] == fingerprint(keys.certs["approver1"])


def test_the_exported_bundle_passes_offline(exported, keys, tsa_url, clock):
    _application, files = exported
    key = log_key()
    bundle = write_bundle(with_log(files, key, tsa_url))
    clock("2027-06-01")
    report = verify_bundle(bundle, [keys.ca_cert], public_pem(key))
    assert report.ok, report.failed()
    # The portal made the decision B-LTA: nothing is taken on trust but the given keys.
    assert [check.code for check in report.checks if check.warning] == []


def test_a_certificate_revoked_before_the_decision_fails_offline(exported, keys, tsa_url, clock):
    _application, files = exported
    # The CA later publishes that approver1's certificate was revoked on 1 March (a key
    # reported lost late): the bundle's newer CRL outweighs the one embedded at signing.
    serial = keys.certs["approver1"].serial_number
    revoked = datetime(2026, 3, 1, tzinfo=UTC)
    crl = make_crl(
        keys.ca_cert, keys.ca_key, {serial: revoked}, issued=datetime(2026, 3, 5, tzinfo=UTC)
    )
    key = log_key()
    bundle = write_bundle(with_log({**files, "crls/01.crl": crl}, key, tsa_url))
    clock("2027-06-01")
    report = verify_bundle(bundle, [keys.ca_cert], public_pem(key))
    assert report.failed() == [("signer_revocation", "revoked")]


def test_the_portal_refuses_to_sign_with_a_revoked_certificate(export, keys, portal):
    keys.crl.revoke(keys.certs["approver1"], when=datetime(2026, 3, 1, tzinfo=UTC))
    with pytest.raises(SignatureRefused) as refused:
        export()
    assert refused.value.code == "verification_failed"
    (brain,) = api.content.find(portal_type="Application", unrestricted=True)
    application = brain._unrestrictedGetObject()
    assert api.content.get_state(application) == "accepted"
    assert application.decision_document is None


def test_archive_timestamps_are_renewed_once_and_still_verify(exported, keys, tsa_url, clock):
    application, _files = exported
    margin = timedelta(days=90)
    assert renew_due_archive_timestamps(margin) == []
    # The loopback TSA's certificate runs to the end of 2027.
    clock("2027-11-01")
    assert renew_due_archive_timestamps(margin) == [application.number]
    assert renew_due_archive_timestamps(margin) == []
    key = log_key()
    bundle = write_bundle(with_log(read_bundle(evidence_bundle(application)), key, tsa_url))
    report = verify_bundle(bundle, [keys.ca_cert], public_pem(key))
    assert report.ok, report.failed()


def test_public_verify_reports_b_lta_and_a_change_by_code(exported, keys):
    application, _files = exported
    pdf = application.decision_document.data
    result = verify_decision(pdf)
    assert result["ok"] and result["matches_record"]
    assert result["level"] == "PAdES-B-LTA"
    assert result["codes"] == [] and result["notices"] == []
    # One byte of the header's binary comment, inside the signed range.
    position = pdf.index(b"\n", 0) + 2
    changed = verify_decision(pdf[:position] + b"X" + pdf[position + 1 :])
    assert changed["ok"] is False
    assert changed["codes"] == ["changed"]
