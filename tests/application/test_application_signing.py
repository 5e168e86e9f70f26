"""Decisions signed with SoftHSM2 tokens: what is accepted, and each refusal with its reason."""

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from datetime import UTC
from datetime import datetime
from pathlib import Path
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from Products.CMFCore.WorkflowCore import WorkflowException
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from tests.helpers.approval import LIBRARY
from tests.helpers.approval import PIN
from tests.helpers.approval import SHORT_LIVED_TOKEN
from tests.helpers.approval import STRANGER_TOKEN
from tests.helpers.approval import act
from tests.helpers.approval import bind
from tests.helpers.approval import complete_checklist
from tests.helpers.approval import decide
from tests.helpers.approval import grant
from tests.helpers.approval import make_authorization
from tests.helpers.approval import poppler
from tests.helpers.approval import transition
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.settings import set_signing_setting
from zhangdian.approval.signing import decision
from zhangdian.approval.signing.decision import PENDING_KEY
from zhangdian.approval.signing.decision import SignatureRefused
from zhangdian.approval.signing.decision import complete_signature
from zhangdian.approval.signing.decision import prepare_signature
from zhangdian.approval.signing.public_verify import verify_decision
from zhangdian.approval.testing.pki import make_ca
from zhangdian.approval.testing.pki import to_pem
from zhangdian.approval.testing.tsa import serve_tsa
from zhangdian.signer.token import sign_data_with_token
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate

import asyncio
import base64
import io
import pytest


@pytest.fixture
def accepted(portal, keys, submit, clock):
    """An XK-T-001 application accepted by approver1 on 2026-03-02, checklist complete."""
    clock("2026-03-02")
    application = submit("XK-T-001")
    act(portal, application, "accept", "approver1")
    complete_checklist(application)
    return application


def as_user(portal, userid, function, *args, **kwargs):
    """Call `function` logged in as `userid`."""
    login(portal, userid)
    try:
        return function(*args, **kwargs)
    finally:
        logout()


def agent_round(portal, application, userid, token, name="approve", reason=""):
    """Prepare as `userid`, sign the bytes on `token` as the agent would; (prepared, sig, cert)."""
    prepared = as_user(portal, userid, prepare_signature, application, name, reason)
    signature, cert_der = sign_data_with_token(
        LIBRARY, token, PIN, base64.b64decode(prepared["data_to_sign"])
    )
    return prepared, signature, cert_der


def untouched(application):
    """The application still waits for its decision, with nothing of one stored."""
    return (
        api.content.get_state(application) == "accepted"
        and application.decision_document is None
        and application.signature is None
        and application.decided_by is None
    )


def completion_refused(portal, userid, application, nonce, signature, certificate):
    """The refusal code when `userid` completes `nonce` on `application` with these values."""
    return refusal_code(
        portal, userid, complete_signature, application, nonce, signature, certificate
    )


def refusal_code(portal, userid, function, *args):
    """The code of the SignatureRefused that `function` raises as `userid`."""
    with pytest.raises(SignatureRefused) as refused:
        as_user(portal, userid, function, *args)
    return refused.value.code


class TestSigned:
    def test_server_token_rsa_end_to_end(self, portal, accepted, keys, tmp_path):
        signed = decide(portal, accepted, "approve", "approver1")
        assert api.content.get_state(accepted) == "approved"
        pdf = accepted.decision_document.data
        assert pdf == signed.pdf
        assert accepted.signature["signer_fingerprint"] == fingerprint(keys.certs["approver1"])
        assert accepted.signature["level"] == "PAdES-B-B"
        # pyHanko's own validator, against the bureau CA only.
        reader = PdfFileReader(io.BytesIO(pdf))
        anchor = asn1_x509.Certificate.load(keys.ca_cert.public_bytes(Encoding.DER))
        context = ValidationContext(trust_roots=[anchor])
        status = asyncio.run(async_validate_pdf_signature(reader.embedded_signatures[0], context))
        assert status.bottom_line
        # poppler's pdfsig checks the signature value and the document digest too.
        assert "Signature is Valid" in poppler("pdfsig", pdf, tmp_path)
        assert "准予行政许可决定书" in poppler("pdftotext", pdf, tmp_path)

    def test_agent_path_with_ecdsa_key(self, portal, approvers, keys, submit, clock):
        clock("2026-03-02")
        application = submit("XK-T-001")
        act(portal, application, "accept", "approver4")
        complete_checklist(application)
        prepared, signature, cert_der = agent_round(
            portal, application, "approver4", "approver4", "refuse", "经营场所不符合条件"
        )
        assert prepared["summary"]["decision"] == "不予行政许可决定书"
        assert prepared["level"] == "PAdES-B-B"
        as_user(
            portal,
            "approver4",
            complete_signature,
            application,
            prepared["nonce"],
            signature,
            cert_der,
        )
        assert api.content.get_state(application) == "refused"
        assert application.decision_reason == "经营场所不符合条件"
        report = verify_decision(application.decision_document.data)
        assert report["ok"] and report["matches_record"]
        assert report["record"]["number"] == application.number

    def test_timestamp_authority_gives_pades_b_lta(self, portal, accepted, keys, tsa_url):
        """With a TSA the decision also gets its validation data and a document timestamp."""
        set_signing_setting("timestamp_url", tsa_url)
        signed = decide(portal, accepted, "approve", "approver1")
        assert signed.level == "PAdES-B-LTA"
        assert signed.timestamp_time is not None


@pytest.fixture(scope="module")
def foreign_tsa():
    """A loopback TSA of another PKI (its own CA); yields (url, that CA's certificate)."""
    ca_cert, ca_key = make_ca("外部时间戳服务 根CA", valid_from=datetime(2025, 1, 1, tzinfo=UTC))
    server, url = serve_tsa(ca_cert, ca_key, valid_from=datetime(2026, 1, 1, tzinfo=UTC), days=730)
    yield url, ca_cert
    server.shutdown()
    server.server_close()


class TestTimestampAnchors:
    """A TSA of another PKI counts only through its own anchor, never through the bureau's."""

    def test_foreign_tsa_without_its_anchor_is_refused(self, portal, accepted, foreign_tsa):
        """Its timestamp is not trusted, so the decision is not recorded."""
        set_signing_setting("timestamp_url", foreign_tsa[0])
        with pytest.raises(SignatureRefused) as refused:
            decide(portal, accepted, "approve", "approver1")
        assert "timestamp" in str(refused.value)
        assert untouched(accepted)

    def test_foreign_tsa_with_its_anchor_gives_pades_b_lta(self, portal, accepted, foreign_tsa):
        """With the TSA's CA as timestamp anchor the decision is PAdES-B-LTA and verifies."""
        set_signing_setting("timestamp_url", foreign_tsa[0])
        set_signing_setting("timestamp_anchors", to_pem(foreign_tsa[1]).decode())
        signed = decide(portal, accepted, "approve", "approver1")
        assert signed.level == "PAdES-B-LTA"
        report = verify_decision(accepted.decision_document.data)
        assert (report["ok"], report["level"], report["problems"]) == (True, "PAdES-B-LTA", [])
        assert report["timestamp_time"] is not None


class TestRefused:
    def test_unsigned_transition_is_refused(self, portal, accepted):
        with pytest.raises(WorkflowException, match="签名"):
            act(portal, accepted, "approve", "approver1")
        assert untouched(accepted)

    def test_wrong_pin(self, portal, accepted):
        with pytest.raises(SignatureRefused) as refused:
            decide(portal, accepted, "approve", "approver1", pin="000000")
        assert refused.value.code == "wrong_pin"
        assert refused.value.status == 401
        # The signer's English error reaches the approver in the portal's language.
        assert "PIN 码错误" in translate(refused.value.messages[0], target_language="zh_CN")
        assert untouched(accepted)

    def test_key_of_another_approver(self, portal, accepted, approvers):
        prepared = as_user(portal, "approver1", prepare_signature, accepted, "approve", "")
        data = base64.b64decode(prepared["data_to_sign"])
        other_signature, other_cert = sign_data_with_token(LIBRARY, "approver4", PIN, data)
        own_cert = approvers["approver1"].certificate.data
        nonce = prepared["nonce"]
        # approver4's key with approver1's certificate: the value does not verify.
        assert (
            completion_refused(portal, "approver1", accepted, nonce, other_signature, own_cert)
            == "signature_invalid"
        )
        # ... and with approver4's certificate: not the one the document was prepared for.
        assert (
            completion_refused(portal, "approver1", accepted, nonce, other_signature, other_cert)
            == "certificate_mismatch"
        )
        assert untouched(accepted)

    def test_unbound_certificate(self, portal, accepted, keys):
        stranger = keys.certs[STRANGER_TOKEN]
        code = refusal_code(
            portal, "approver1", prepare_signature, accepted, "approve", "", stranger
        )
        assert code == "certificate_not_bound"
        assert untouched(accepted)

    def test_revoked_between_prepare_and_complete(self, portal, accepted, approvers):
        prepared, signature, cert_der = agent_round(portal, accepted, "approver1", "approver1")
        transition(portal, approvers["approver1"], "revoke", comment="停止授权")
        code = completion_refused(
            portal, "approver1", accepted, prepared["nonce"], signature, cert_der
        )
        assert code in ("not_allowed", "not_available")
        assert untouched(accepted)

    def test_expired_authorization(self, portal, accepted, clock):
        clock("2027-01-04")
        with pytest.raises(SignatureRefused):
            decide(portal, accepted, "approve", "approver1")
        assert untouched(accepted)

    def test_out_of_scope_matter(self, portal, keys, approvers, submit, clock):
        clock("2026-03-02")
        application = submit("XK-T-001")
        act(portal, application, "accept", "approver1")
        complete_checklist(application)
        bind(approvers["approver2"], keys.certs["approver2"])
        with pytest.raises(SignatureRefused) as refused:
            decide(portal, application, "approve", "approver2")
        assert refused.value.code in ("not_available", "not_allowed")
        assert untouched(application)

    def test_replayed_nonce_and_other_application(self, portal, accepted, submit):
        prepared, signature, cert_der = agent_round(portal, accepted, "approver1", "approver1")
        other = submit("XK-T-001")
        act(portal, other, "accept", "approver1")
        complete_checklist(other)
        code = completion_refused(
            portal, "approver1", other, prepared["nonce"], signature, cert_der
        )
        assert code == "nonce_unknown"
        assert untouched(other)
        as_user(
            portal,
            "approver1",
            complete_signature,
            accepted,
            prepared["nonce"],
            signature,
            cert_der,
        )
        assert api.content.get_state(accepted) == "approved"
        code = completion_refused(
            portal, "approver1", accepted, prepared["nonce"], signature, cert_der
        )
        assert code == "already_decided"
        assert IAnnotations(accepted)[PENDING_KEY] == {}

    def test_expired_nonce(self, portal, accepted, clock):
        prepared, signature, cert_der = agent_round(portal, accepted, "approver1", "approver1")
        clock("2026-03-03")
        code = completion_refused(
            portal, "approver1", accepted, prepared["nonce"], signature, cert_der
        )
        assert code == "nonce_expired"
        assert untouched(accepted)

    def test_nonce_of_another_user(self, portal, accepted):
        prepared, signature, cert_der = agent_round(portal, accepted, "approver1", "approver1")
        code = completion_refused(
            portal, "approver4", accepted, prepared["nonce"], signature, cert_der
        )
        assert code == "nonce_other_user"
        assert untouched(accepted)

    def test_expired_certificate(self, portal, approvers, keys, submit, clock):
        clock("2026-02-02")
        with api.env.adopt_roles(["Manager"]):
            api.user.create(username="approver6", email="a6@example.org", password="pw-123456")
        authorization = make_authorization(
            portal["approvers"], "approver6", "2026-01-01", "2026-12-31", ["jmss"]
        )
        grant(portal, authorization)
        bind(authorization, keys.certs[SHORT_LIVED_TOKEN])
        clock("2026-03-02")
        application = submit("XK-T-001")
        act(portal, application, "accept", "approver6")
        complete_checklist(application)
        with pytest.raises(SignatureRefused) as refused:
            decide(portal, application, "approve", "approver6")
        assert refused.value.code == "certificate_expired"
        assert untouched(application)

    def test_tampered_pdf_fails_verification(self, portal, accepted):
        decide(portal, accepted, "approve", "approver1")
        pdf = bytearray(accepted.decision_document.data)
        position = pdf.index(b"/Producer") if b"/Producer" in pdf else len(pdf) // 3
        pdf[position + 2] ^= 0x01
        report = verify_decision(bytes(pdf))
        assert report["ok"] is False
        assert report["matches_record"] is False
        assert report["problems"]


def token_directory(tokens, label):
    """The SoftHSM2 directory holding the token labelled `label` (its USB key, as it were)."""
    store = Path(tokens.config).parent / "tokens"
    padded = label.encode().ljust(32)
    for directory in store.iterdir():
        if padded in (directory / "token.object").read_bytes():
            return directory
    raise LookupError(label)


class TestTokenPulledOut:
    def test_token_removed_mid_signing_leaves_the_application_untouched(
        self, portal, accepted, tokens, monkeypatch
    ):
        """The key is pulled after the portal read its certificate, before it signs."""
        plugged = token_directory(tokens, "approver1")
        pulled = plugged.parent.parent / f"pulled-{plugged.name}"  # out of SoftHSM's sight
        read_certificate = decision.token_certificate

        def read_then_pull(*args, **kwargs):
            certificate = read_certificate(*args, **kwargs)
            plugged.rename(pulled)
            return certificate

        monkeypatch.setattr(decision, "token_certificate", read_then_pull)
        try:
            with pytest.raises(SignatureRefused) as refused:
                decide(portal, accepted, "approve", "approver1")
        finally:
            pulled.rename(plugged)
        assert refused.value.code == "token_not_found"
        assert "USB Key" in translate(refused.value.messages[0], target_language="zh_CN")
        assert untouched(accepted)
        assert IAnnotations(accepted).get(PENDING_KEY, {}) == {}
        monkeypatch.undo()
        assert decide(portal, accepted, "approve", "approver1").signer_fingerprint
        assert api.content.get_state(accepted) == "approved"


class TestRoutesOffered:
    """A route the bureau withholds refuses before anything is prepared or signed."""

    def test_agent_withheld(self, portal, accepted):
        """Only the server token offered: preparing for the agent is refused."""
        set_signing_setting("signing_routes", ["server"])
        code = refusal_code(portal, "approver1", prepare_signature, accepted, "approve", "")
        assert code == "agent_signing_off"
        assert untouched(accepted) and not IAnnotations(accepted).get(PENDING_KEY)

    def test_server_withheld(self, portal, accepted):
        """Only the agent offered: the server token is not touched although it is configured."""
        set_signing_setting("signing_routes", ["agent"])
        code = refusal_code(
            portal, "approver1", decision.sign_with_server_token, accepted, "approve", "", PIN
        )
        assert code == "server_signing_off"
        assert untouched(accepted)

    def test_both_offered_by_default(self, portal, accepted):
        """The default record offers both; the server route needs its module (configured here)."""
        signed = decide(portal, accepted, "approve", "approver1")
        assert signed.pdf == accepted.decision_document.data
