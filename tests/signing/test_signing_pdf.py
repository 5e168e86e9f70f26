"""PAdES signing of a decision PDF with SoftHSM tokens: prepare, sign, complete, verify."""

from concurrent.futures import ThreadPoolExecutor
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from io import BytesIO
from pyhanko.pdf_utils.reader import PdfFileReader
from tests.helpers.server_signing import sign_in_decision_box
from tests.helpers.server_signing import sign_on_server
from tests.helpers.signing import BOX
from tests.helpers.signing import EC_TOKEN
from tests.helpers.signing import LIBRARY
from tests.helpers.signing import PIN
from tests.helpers.signing import RSA_TOKEN
from tests.helpers.signing import TAMPER_MARK
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.signing.errors import FieldAlreadySigned
from zhangdian.approval.signing.errors import InvalidState
from zhangdian.approval.signing.errors import NoTimestampRoom
from zhangdian.approval.signing.errors import SignatureRejected
from zhangdian.approval.signing.errors import UnreadablePdf
from zhangdian.approval.signing.prepare import DEFAULT_FIELD_NAME
from zhangdian.approval.signing.prepare import complete
from zhangdian.approval.signing.prepare import prepare
from zhangdian.approval.signing.verify import verify
from zhangdian.approval.testing.pki import make_ca
from zhangdian.signer.token import sign_data_with_token
from zhangdian.signer.token import token_certificate

import gc
import pytest
import subprocess
import sys


TOKENS = [RSA_TOKEN, EC_TOKEN]


def _cert_of(tokens, token_label):
    """The certificate provisioned on `token_label`."""
    return tokens.rsa_cert if token_label == RSA_TOKEN else tokens.ec_cert


def _sign(pdf_bytes, token_label, **options):
    """`pdf_bytes` signed on the server with the token's key in the decision's box."""
    return sign_in_decision_box(
        pdf_bytes, token_label, reason="准予行政许可", location="淄博市张店区", **options
    )


def _signature_field(signed: bytes):
    """The (only) signature field dictionary of a signed PDF."""
    (signature,) = PdfFileReader(BytesIO(signed)).embedded_signatures
    return signature.sig_field


@pytest.mark.parametrize("token_label", TOKENS)
def test_server_signature_verifies_as_pades_b_b(tokens, decision_pdf, token_label):
    signed = _sign(decision_pdf, token_label)
    result = verify(signed, [tokens.ca_cert])
    cert = _cert_of(tokens, token_label)
    assert result.ok, result.problems
    assert result.intact and result.valid and result.trusted
    assert result.covers_whole_document
    assert result.level == "PAdES-B-B"
    assert result.signer_fingerprint == fingerprint(cert)
    assert result.signer_certificate == cert.public_bytes(Encoding.DER)
    assert result.signer_subject == cert.subject.rfc4514_string()
    assert result.field_name == DEFAULT_FIELD_NAME
    assert abs(result.signing_time - datetime.now(UTC)) < timedelta(minutes=1)
    assert result.timestamp_time is None and result.timestamp_valid is None
    assert signed.startswith(decision_pdf), "signing must be an incremental update"


@pytest.mark.parametrize("token_label", TOKENS)
def test_loopback_tsa_makes_pades_b_t(tokens, decision_pdf, tsa_url, token_label):
    signed = _sign(decision_pdf, token_label, timestamp_url=tsa_url)
    result = verify(signed, [tokens.ca_cert])
    assert result.ok, result.problems
    assert result.level == "PAdES-B-T"
    assert result.timestamp_valid is True
    assert abs(result.timestamp_time - datetime.now(UTC)) < timedelta(minutes=1)


def test_visible_appearance_sits_in_the_box(decision_pdf):
    field = _signature_field(_sign(decision_pdf, RSA_TOKEN))
    assert [float(value) for value in field["/Rect"]] == [float(value) for value in BOX]
    assert "/N" in field["/AP"]


def test_without_a_box_the_signature_is_invisible(tokens, decision_pdf):
    signed = sign_on_server(decision_pdf, library_path=LIBRARY, token_label=EC_TOKEN, pin=PIN)
    rect = [float(value) for value in _signature_field(signed)["/Rect"]]
    assert rect[0] == rect[2] and rect[1] == rect[3]
    assert verify(signed, [tokens.ca_cert]).ok


def test_changing_one_byte_breaks_the_signature(tokens, decision_pdf):
    signed = _sign(decision_pdf, RSA_TOKEN)
    position = signed.index(TAMPER_MARK)
    tampered = signed[:position] + b"D" + signed[position + 1 :]
    result = verify(tampered, [tokens.ca_cert])
    assert result.intact is False
    assert result.ok is False
    assert result.problems


def test_certificate_from_another_ca_is_not_trusted(tokens, decision_pdf):
    signed = _sign(decision_pdf, EC_TOKEN)
    other_ca, _ = make_ca("另一个测试CA")
    result = verify(signed, [other_ca])
    assert result.intact and result.valid
    assert result.trusted is False
    assert result.ok is False


def test_content_appended_after_signing_is_reported(tokens, decision_pdf):
    signed = _sign(decision_pdf, RSA_TOKEN)
    result = verify(signed + b"\n% appended\n", [tokens.ca_cert])
    assert result.covers_whole_document is False
    assert result.ok is False


def test_complete_refuses_a_signature_over_other_data(tokens, decision_pdf):
    prepared = prepare(decision_pdf, tokens.rsa_cert, box=BOX)
    wrong, _ = sign_data_with_token(LIBRARY, RSA_TOKEN, PIN, prepared.data_to_sign + b"x")
    with pytest.raises(SignatureRejected):
        complete(prepared.state, wrong)
    with pytest.raises(SignatureRejected):
        complete(prepared.state, b"\x00" * 256)


def test_complete_refuses_a_signature_by_another_key(tokens, decision_pdf):
    prepared = prepare(decision_pdf, tokens.rsa_cert, box=BOX)
    by_ec_key, _ = sign_data_with_token(LIBRARY, EC_TOKEN, PIN, prepared.data_to_sign)
    with pytest.raises(SignatureRejected):
        complete(prepared.state, by_ec_key)


def test_complete_accepts_a_raw_ecdsa_signature(tokens, decision_pdf):
    prepared = prepare(decision_pdf, tokens.ec_cert, box=BOX)
    der, _ = sign_data_with_token(LIBRARY, EC_TOKEN, PIN, prepared.data_to_sign)
    r, s = decode_dss_signature(der)
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert verify(complete(prepared.state, raw), [tokens.ca_cert]).ok


def _prepare_request(pdf_bytes, cert):
    """First "request": prepare and keep only plain bytes, as the ZODB would."""
    prepared = prepare(pdf_bytes, cert, box=BOX, reason="准予")
    return bytes(prepared.state), bytes(prepared.data_to_sign)


def test_state_survives_a_round_trip_through_bytes(tokens, decision_pdf):
    state, data_to_sign = _prepare_request(decision_pdf, tokens.ec_cert)
    gc.collect()
    signature, _ = sign_data_with_token(LIBRARY, EC_TOKEN, PIN, data_to_sign)
    signed = complete(state, signature)
    del state, data_to_sign, signature
    assert verify(signed, [tokens.ca_cert]).ok


def test_state_completes_in_another_process(tokens, decision_pdf, tmp_path):
    state, data_to_sign = _prepare_request(decision_pdf, tokens.rsa_cert)
    signature, _ = sign_data_with_token(LIBRARY, RSA_TOKEN, PIN, data_to_sign)
    (tmp_path / "state").write_bytes(state)
    (tmp_path / "signature").write_bytes(signature)
    script = (
        "import pathlib, sys\n"
        "from zhangdian.approval.signing.prepare import complete\n"
        "d = pathlib.Path(sys.argv[1])\n"
        "signed = complete((d / 'state').read_bytes(), (d / 'signature').read_bytes())\n"
        "(d / 'signed.pdf').write_bytes(signed)\n"
    )
    command = [sys.executable, "-c", script, str(tmp_path)]
    subprocess.run(command, check=True, timeout=120)  # noqa: S603 - our own interpreter
    assert verify((tmp_path / "signed.pdf").read_bytes(), [tokens.ca_cert]).ok


def test_damaged_state_is_refused(tokens, decision_pdf):
    prepared = prepare(decision_pdf, tokens.rsa_cert, box=BOX)
    signature, _ = sign_data_with_token(LIBRARY, RSA_TOKEN, PIN, prepared.data_to_sign)
    state = prepared.state
    flipped = state[:-100] + bytes([state[-100] ^ 1]) + state[-99:]
    for damaged in (flipped, b"garbage", state[:40], b"ZDSIG-PREP\x02" + state[11:]):
        with pytest.raises(InvalidState):
            complete(damaged, signature)


def test_timestamp_needs_room_reserved_at_prepare(tokens, decision_pdf, tsa_url):
    prepared = prepare(decision_pdf, tokens.rsa_cert, box=BOX)
    signature, _ = sign_data_with_token(LIBRARY, RSA_TOKEN, PIN, prepared.data_to_sign)
    with pytest.raises(NoTimestampRoom):
        complete(prepared.state, signature, timestamp_url=tsa_url)


def test_a_signed_field_cannot_be_signed_again(tokens, decision_pdf):
    signed = _sign(decision_pdf, RSA_TOKEN)
    with pytest.raises(FieldAlreadySigned):
        prepare(signed, tokens.ec_cert, box=BOX)


def test_a_second_field_can_be_added(tokens, decision_pdf):
    signed = _sign(decision_pdf, RSA_TOKEN)
    prepared = prepare(signed, tokens.ec_cert, field_name="Countersignature")
    signature, _ = sign_data_with_token(LIBRARY, EC_TOKEN, PIN, prepared.data_to_sign)
    twice = complete(prepared.state, signature)
    assert verify(twice, [tokens.ca_cert]).signer_fingerprint == fingerprint(tokens.ec_cert)
    first = verify(twice, [tokens.ca_cert], field_name=DEFAULT_FIELD_NAME)
    assert first.intact and first.trusted and not first.covers_whole_document


def test_unreadable_input(tokens):
    with pytest.raises(UnreadablePdf):
        prepare(b"%PDF-1.7 not really", tokens.rsa_cert)
    result = verify(b"not a pdf", [tokens.ca_cert])
    assert result.ok is False and result.problems


def test_unsigned_pdf_has_no_signature(tokens, decision_pdf):
    result = verify(decision_pdf, [tokens.ca_cert])
    assert result.ok is False
    assert str(result.problems[0]) == "The document carries no signature."


def test_token_certificate_is_the_provisioned_one(tokens):
    assert token_certificate(LIBRARY, RSA_TOKEN) == tokens.rsa_cert
    assert token_certificate(LIBRARY, EC_TOKEN, key_label=EC_TOKEN) == tokens.ec_cert


def test_eight_threads_sign_concurrently(tokens, decision_pdf):
    jobs = [TOKENS[index % 2] for index in range(16)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        signed = list(pool.map(lambda label: _sign(decision_pdf, label), jobs))
    for label, document in zip(jobs, signed, strict=True):
        result = verify(document, [tokens.ca_cert])
        assert result.ok, result.problems
        assert result.signer_fingerprint == fingerprint(_cert_of(tokens, label))
