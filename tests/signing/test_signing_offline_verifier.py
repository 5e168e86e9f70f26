"""zhangdian-verify: an evidence bundle checked offline passes, and each tampering is named."""

from cryptography.hazmat.primitives.serialization import Encoding
from datetime import UTC
from datetime import datetime
from tests.helpers.bundles import log_key
from tests.helpers.bundles import public_pem
from tests.helpers.bundles import read_bundle
from tests.helpers.bundles import with_log
from tests.helpers.bundles import write_bundle
from tests.helpers.server_signing import sign_on_server
from tests.helpers.signing import BOX
from tests.helpers.signing import LIBRARY
from tests.helpers.signing import PIN
from tests.helpers.signing import RSA_TOKEN
from tests.helpers.signing import TAMPER_MARK
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.testing.pki import make_ca
from zhangdian.approval.testing.pki import make_crl
from zhangdian.approval.testing.pki import to_pem
from zhangdian.verify.checks import verify_bundle
from zhangdian.verify.cli import main
from zhangdian.verify.messages import default_language

import base64
import hashlib
import json
import pytest
import subprocess
import sys


AUTHORIZATION_UID = "0f3c2a9e5b7d4e1f8a6c3b2d1e0f9a8b"


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True).encode()


@pytest.fixture
def bundle_files(tokens, decision_pdf, tsa_url, clock):
    """A decision signed on 2 March 2026 on SoftHSM2, with its journal, CRL and log part."""
    clock("2026-03-02")
    pdf = sign_on_server(
        decision_pdf,
        library_path=LIBRARY,
        token_label=RSA_TOKEN,
        pin=PIN,
        box=BOX,
        timestamp_url=tsa_url,
    )
    signer = tokens.certs[RSA_TOKEN]
    signer_fp = fingerprint(signer)
    journal = [
        {
            "seq": 7,
            "at": "2026-03-02T10:00:00+08:00",
            "actor": "anonymous",
            "action": "application.submitted",
            "target": "XK-T-001",
            "before": None,
            "after": {"matter": "m"},
            "fingerprint": None,
        },
        {
            "seq": 9,
            "at": "2026-03-02T11:00:00+08:00",
            "actor": "approver1",
            "action": "application.accept",
            "target": "XK-T-001",
            "before": {"state": "submitted"},
            "after": {"state": "accepted"},
            "fingerprint": None,
        },
        {
            "seq": 12,
            "at": "2026-03-02T12:00:00+08:00",
            "actor": "approver1",
            "action": "application.approve",
            "target": "XK-T-001",
            "before": {"state": "accepted"},
            "after": {
                "state": "approved",
                "document_sha256": hashlib.sha256(pdf).hexdigest(),
                "authorization": AUTHORIZATION_UID,
            },
            "fingerprint": signer_fp,
        },
    ]
    files = {
        "manifest.json": _json({"application": "XK-T-001"}),
        "application.json": _json({"number": "XK-T-001", "review_state": "approved"}),
        "decision.pdf": pdf,
        "signature.json": _json({"signer_fingerprint": signer_fp}),
        "signer-certificate.der": signer.public_bytes(Encoding.DER),
        "journal.json": _json(journal),
        "authorization.json": _json(
            {
                "uid": AUTHORIZATION_UID,
                "state_at_decision": "active",
                "valid_from": "2026-01-01",
                "valid_until": "2026-12-31",
                "certificate_fingerprint": signer_fp,
            }
        ),
        "certificates/bureau-ca.pem": to_pem(tokens.ca_cert),
        "crls/bureau-ca.crl": make_crl(
            tokens.ca_cert, tokens.ca_key, issued=datetime(2026, 3, 1, tzinfo=UTC)
        ),
    }
    key = log_key()
    files = with_log(files, key, tsa_url)
    # Years later: the approver's certificate has expired, the TSA's is still trusted.
    clock("2027-06-01")
    return files, key


def _verify(files, tokens, key, anchors=None, manifest=True):
    report = verify_bundle(
        write_bundle(files, manifest=manifest), anchors or [tokens.ca_cert], public_pem(key)
    )
    return report


def _failed(report):
    return report.failed()


def test_a_whole_bundle_passes_every_check(bundle_files, tokens):
    files, key = bundle_files
    report = _verify(files, tokens, key)
    assert report.ok, report.failed()
    assert {check.code for check in report.checks} >= {
        "bundle",
        "pdf_signature",
        "signer_chain",
        "signer_revocation",
        "pdf_timestamps",
        "head_signature",
        "head_timestamp",
        "inclusion",
        "journal_complete",
        "decision_entry",
        "authorization",
    }


def test_the_command_prints_a_chinese_report_and_exits_0(bundle_files, tokens, tmp_path, capsys):
    files, key = bundle_files
    (tmp_path / "bundle.zip").write_bytes(write_bundle(files))
    (tmp_path / "ca.pem").write_bytes(to_pem(tokens.ca_cert))
    (tmp_path / "log.pem").write_bytes(public_pem(key))
    argv = [str(tmp_path / "bundle.zip"), "--anchor", str(tmp_path / "ca.pem")]
    assert main([*argv, "--log-key", str(tmp_path / "log.pem"), "--lang", "zh_CN"]) == 0
    out = capsys.readouterr().out
    assert "结论：全部核验通过。" in out
    assert "[未通过]" not in out
    # Without --log-key the bundle's own key is used, with a warning that it is self-supplied.
    assert main([*argv, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Warning: the log key comes from the bundle itself" in out
    assert "Result: every check holds." in out


def test_the_command_exits_1_and_names_the_failure(bundle_files, tokens, tmp_path, capsys):
    files, _key = bundle_files
    other_ca, _ = make_ca("另一个测试CA")
    (tmp_path / "bundle.zip").write_bytes(write_bundle(files))
    (tmp_path / "other.pem").write_bytes(to_pem(other_ca))
    argv = [str(tmp_path / "bundle.zip"), "--anchor", str(tmp_path / "other.pem")]
    assert main([*argv, "--lang", "zh_CN"]) == 1
    out = capsys.readouterr().out
    assert "签名证书在签名时不可信" in out
    assert "结论：核验未通过。" in out


def test_a_changed_pdf_byte_is_named(bundle_files, tokens):
    files, key = bundle_files
    pdf = files["decision.pdf"]
    position = pdf.index(TAMPER_MARK)
    changed = pdf[:position] + b"D" + pdf[position + 1 :]
    # As shipped, the manifest already gives it away.
    shipped = {**read_bundle(write_bundle(files)), "decision.pdf": changed}
    assert _failed(_verify(shipped, tokens, key, manifest=False)) == [("bundle", "digest_mismatch")]
    files = {**files, "decision.pdf": changed}
    # With the manifest mended too, the signature does.
    failed = _failed(_verify(files, tokens, key))
    assert ("pdf_signature", "changed") in failed
    assert ("signer_chain", "untrusted") not in failed


def test_a_wrong_anchor_is_named(bundle_files, tokens):
    files, key = bundle_files
    other_ca, _ = make_ca("另一个测试CA")
    failed = _failed(_verify(files, tokens, key, anchors=[other_ca]))
    assert ("signer_chain", "untrusted") in failed
    assert ("pdf_signature", None) not in failed


def test_a_removed_entry_is_named(bundle_files, tokens):
    files, key = bundle_files
    journal = json.loads(files["journal.json"])
    # Removed from the journal only: its proof is still in the bundle.
    shortened = {**files, "journal.json": _json(journal[:-1])}
    failed = _failed(_verify(shortened, tokens, key))
    assert ("journal_complete", "proof_without_entry") in failed
    assert ("decision_entry", "no_decision_entry") in failed
    # Removed with its proof: no entry records the decision any more.
    proofs = json.loads(files["log/proofs.json"])
    files = {**shortened, "log/proofs.json": _json(proofs[:-1])}
    assert _failed(_verify(files, tokens, key)) == [("decision_entry", "no_decision_entry")]


def test_a_changed_entry_fails_its_inclusion_proof(bundle_files, tokens):
    files, key = bundle_files
    journal = json.loads(files["journal.json"])
    journal[1]["actor"] = "approver2"
    proofs = json.loads(files["log/proofs.json"])
    proofs[1]["entry"] = journal[1]
    files = {**files, "journal.json": _json(journal), "log/proofs.json": _json(proofs)}
    assert ("inclusion", "bad_proof") in _failed(_verify(files, tokens, key))


def test_a_wrong_head_signature_is_named(bundle_files, tokens):
    files, key = bundle_files
    head = json.loads(files["log/head.json"])
    signature = bytearray(base64.b64decode(head["signature"]))
    signature[-1] ^= 1
    head["signature"] = base64.b64encode(bytes(signature)).decode()
    files = {**files, "log/head.json": _json(head)}
    assert ("head_signature", "bad_signature") in _failed(_verify(files, tokens, key))
    # A head signed by another key than the one the user trusts.
    assert ("head_signature", "log_id_mismatch") in _failed(_verify(files, tokens, log_key()))


def test_a_head_timestamp_over_another_head_is_named(bundle_files, tokens, tsa_url):
    files, key = bundle_files
    other = with_log(files, key, tsa_url, padding=6)
    head = json.loads(files["log/head.json"])
    head["timestamp_token"] = json.loads(other["log/head.json"])["timestamp_token"]
    files = {**files, "log/head.json": _json(head)}
    assert _failed(_verify(files, tokens, key)) == [("head_timestamp", "imprint_mismatch")]


def test_a_certificate_revoked_before_signing_is_named(bundle_files, tokens):
    files, key = bundle_files
    serial = tokens.certs[RSA_TOKEN].serial_number
    revoked = datetime(2026, 2, 1, tzinfo=UTC)
    crl = make_crl(tokens.ca_cert, tokens.ca_key, {serial: revoked}, issued=revoked)
    files = {**files, "crls/bureau-ca.crl": crl}
    failed = _failed(_verify(files, tokens, key))
    assert [code for code, _reason in failed] == ["signer_revocation"]


def test_a_revocation_after_signing_leaves_the_bundle_valid(bundle_files, tokens):
    files, key = bundle_files
    serial = tokens.certs[RSA_TOKEN].serial_number
    revoked = datetime(2026, 4, 1, tzinfo=UTC)
    crl = make_crl(tokens.ca_cert, tokens.ca_key, {serial: revoked}, issued=revoked)
    report = _verify({**files, "crls/bureau-ca.crl": crl}, tokens, key)
    assert report.ok, report.failed()


def test_an_authorisation_not_active_at_decision_is_named(bundle_files, tokens):
    files, key = bundle_files
    authorization = json.loads(files["authorization.json"])
    files = {
        **files,
        "authorization.json": _json({**authorization, "state_at_decision": "suspended"}),
    }
    assert _failed(_verify(files, tokens, key)) == [("authorization", "not_active")]


def test_a_bundle_without_log_fails(bundle_files, tokens):
    files, key = bundle_files
    files = {name: data for name, data in files.items() if not name.startswith("log/")}
    assert ("head_signature", "no_log") in _failed(_verify(files, tokens, key))


def test_not_a_bundle(tokens):
    assert verify_bundle(b"not a zip", [tokens.ca_cert]).failed() == [("bundle", "not_a_bundle")]


def test_default_language_follows_the_locale():
    assert default_language({"LANG": "zh_CN.UTF-8"}) == "zh_CN"
    assert default_language({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"


def test_the_verifier_loads_no_plone_or_zope():
    script = (
        "import sys, zhangdian.verify.cli; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'plone', 'zope', 'Products', 'Zope2'}))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
