"""@verify reports each problem by its own code: a changed document is `changed` only."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from io import BytesIO
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko_certvalidator.errors import RevokedError
from tests.helpers.approval import SHORT_LIVED_TOKEN
from tests.helpers.server_signing import sign_in_decision_box
from tests.helpers.signing import EC_TOKEN
from tests.helpers.signing import RSA_TOKEN
from tests.helpers.signing import TAMPER_MARK
from zhangdian.approval.signing.long_term import add_long_term_data
from zhangdian.approval.signing.long_term import archive_timestamp_due
from zhangdian.approval.signing.long_term import renew_archive_timestamp
from zhangdian.approval.signing.verify import embedded_crls
from zhangdian.approval.signing.verify import verify
from zhangdian.approval.testing.pki import make_ca
from zhangdian.approval.testing.pki import make_crl

import pytest


def _sign(pdf_bytes, token_label=RSA_TOKEN, timestamp_url=None):
    """`pdf_bytes` signed on the server with the token's key."""
    return sign_in_decision_box(pdf_bytes, token_label, timestamp_url=timestamp_url)


def _revoking(tokens, token_label, when):
    """The test CA's CRL, issued at `when`, that revokes `token_label`'s certificate then."""
    serial = tokens.certs[token_label].serial_number
    return make_crl(tokens.ca_cert, tokens.ca_key, {serial: when}, issued=when)


def test_a_changed_document_is_changed_and_nothing_else(tokens, decision_pdf, tsa_url):
    signed = _sign(decision_pdf, timestamp_url=tsa_url)
    position = signed.index(TAMPER_MARK)
    result = verify(signed[:position] + b"D" + signed[position + 1 :], [tokens.ca_cert])
    assert result.ok is False
    assert result.codes == ["changed"]
    assert [str(p) for p in result.problems] == ["The document was changed after it was signed."]


def test_a_signer_of_another_ca_is_untrusted(tokens, decision_pdf):
    other_ca, _ = make_ca("另一个测试CA")
    result = verify(_sign(decision_pdf, EC_TOKEN), [other_ca])
    assert result.intact and result.valid
    assert result.codes == ["untrusted"]


def test_an_untrusted_timestamp_authority_is_named(tokens, decision_pdf, tsa_url):
    other_ca, _ = make_ca("另一个时间戳CA")
    signed = _sign(decision_pdf, timestamp_url=tsa_url)
    assert verify(signed, [tokens.ca_cert], timestamp_anchors=[tokens.ca_cert]).ok
    result = verify(signed, [tokens.ca_cert], timestamp_anchors=[other_ca])
    assert result.codes == ["tsa_untrusted"]
    assert result.timestamp_valid is False


def test_without_timestamp_or_validation_data_notices_but_valid(tokens, decision_pdf):
    result = verify(_sign(decision_pdf), [tokens.ca_cert])
    assert result.ok, result.problems
    assert result.codes == []
    assert result.notices == ["no_timestamp", "no_validation_data"]


def test_a_timestamped_signature_has_no_timestamp_notice(tokens, decision_pdf, tsa_url):
    result = verify(_sign(decision_pdf, timestamp_url=tsa_url), [tokens.ca_cert])
    assert result.ok, result.problems
    assert result.notices == ["no_validation_data"]


def test_a_certificate_revoked_before_signing_is_revoked(tokens, decision_pdf, tsa_url, clock):
    clock("2026-06-01")
    crl = _revoking(tokens, RSA_TOKEN, datetime(2026, 5, 1, tzinfo=UTC))
    result = verify(_sign(decision_pdf, timestamp_url=tsa_url), [tokens.ca_cert], crls=[crl])
    assert result.ok is False
    assert result.codes == ["revoked"]
    # The same signature against a CRL that does not list the certificate is valid.
    clean = make_crl(tokens.ca_cert, tokens.ca_key, issued=datetime(2026, 5, 1, tzinfo=UTC))
    assert verify(_sign(decision_pdf, timestamp_url=tsa_url), [tokens.ca_cert], crls=[clean]).ok


def test_a_revocation_after_signing_leaves_the_decision_valid(tokens, decision_pdf, tsa_url, clock):
    clock("2026-06-01")
    signed_before = _sign(decision_pdf, timestamp_url=tsa_url)
    clock("2026-07-02")
    signed_after = _sign(decision_pdf, timestamp_url=tsa_url)
    clock("2026-08-01")
    crl = _revoking(tokens, RSA_TOKEN, datetime(2026, 7, 1, tzinfo=UTC))
    before = verify(signed_before, [tokens.ca_cert], crls=[crl])
    assert before.ok, before.problems
    after = verify(signed_after, [tokens.ca_cert], crls=[crl])
    assert after.codes == ["revoked"]


def test_a_decision_signed_in_validity_outlives_the_certificate(
    tokens, decision_pdf, tsa_url, clock
):
    # approver6's certificate is valid in January and February 2026 only.
    clock("2026-02-10")
    signed = _sign(decision_pdf, SHORT_LIVED_TOKEN, timestamp_url=tsa_url)
    clock("2026-12-01")
    result = verify(signed, [tokens.ca_cert])
    assert result.ok, result.problems
    assert result.timestamp_time.date().isoformat() == "2026-02-10"


def test_a_signature_made_after_expiry_is_expired_at_signing(tokens, decision_pdf, tsa_url, clock):
    clock("2026-03-10")
    result = verify(_sign(decision_pdf, SHORT_LIVED_TOKEN, timestamp_url=tsa_url), [tokens.ca_cert])
    assert result.codes == ["expired_at_signing"]
    # Without a timestamp the signer's own claim of the time is what dates it.
    clock("2026-03-11")
    result = verify(_sign(decision_pdf, SHORT_LIVED_TOKEN), [tokens.ca_cert])
    assert result.codes == ["expired_at_signing"]


def test_long_term_data_makes_pades_b_lta(tokens, decision_pdf, tsa_url, clock):
    clock("2026-06-01")
    signed = _sign(decision_pdf, timestamp_url=tsa_url)
    archived = add_long_term_data(signed, tokens.rsa_cert, [tokens.ca_cert], tsa_url)
    assert archived.startswith(signed), "validation data must be an incremental update"
    result = verify(archived, [tokens.ca_cert])
    assert result.ok, result.problems
    assert result.level == "PAdES-B-LTA"
    assert result.notices == []
    assert result.covers_whole_document
    # The CRL fetched from the certificate's distribution point is in the DSS.
    assert embedded_crls(PdfFileReader(BytesIO(archived))) == [tokens.crl.crl()]


def test_no_long_term_data_for_a_revoked_certificate(tokens, decision_pdf, tsa_url, clock):
    clock("2026-06-01")
    crl = tokens.crl.revoke(tokens.ec_cert, when=datetime(2026, 5, 1, tzinfo=UTC))
    try:
        signed = _sign(decision_pdf, EC_TOKEN, timestamp_url=tsa_url)
        with pytest.raises(RevokedError):
            add_long_term_data(signed, tokens.ec_cert, [tokens.ca_cert], tsa_url)
    finally:
        tokens.crl.revoked.clear()
        tokens.crl.reissue()
    assert verify(signed, [tokens.ca_cert], crls=[crl]).codes == ["revoked"]


def test_an_archive_timestamp_is_renewed_before_its_tsa_ages_out(
    tokens, decision_pdf, tsa_url, clock
):
    clock("2026-06-01")
    signed = _sign(decision_pdf, timestamp_url=tsa_url)
    archived = add_long_term_data(signed, tokens.rsa_cert, [tokens.ca_cert], tsa_url)
    # The loopback TSA's certificate runs to the end of 2027: not due a year before, due after.
    margin = timedelta(days=90)
    assert not archive_timestamp_due(archived, margin)
    clock("2027-11-01")
    assert archive_timestamp_due(archived, margin)
    renewed = renew_archive_timestamp(archived, [tokens.ca_cert], tsa_url)
    assert renewed.startswith(archived)
    stamps = [
        s
        for s in PdfFileReader(BytesIO(renewed)).embedded_signatures
        if s.sig_object.get("/Type") == "/DocTimeStamp"
    ]
    assert len(stamps) == 2
    # The renewal was made inside the window: a second run leaves it alone.
    assert not archive_timestamp_due(renewed, margin)
    result = verify(renewed, [tokens.ca_cert])
    assert result.ok, result.problems
    assert result.level == "PAdES-B-LTA"
