"""The signer's PDF reading without a PDF library: /Info strings and the signed byte range."""

from zhangdian.signer.document import decision_summary
from zhangdian.signer.document import signed_digest
from zhangdian.signer.errors import DocumentUnreadable

import hashlib
import pytest


def _pdf(info: bytes, trailer_info: bytes = b"/Info 1 0 R") -> bytes:
    """A minimal PDF whose object 1 is `info`, its classic trailer naming `trailer_info`."""
    head = b"%PDF-1.7\n1 0 obj\n" + info + b"\nendobj\n"
    return (
        head
        + b"xref\n0 1\ntrailer\n<< "
        + trailer_info
        + b" /Size 2 >>\nstartxref\n%d\n%%%%EOF\n" % len(head)
    )


def test_literal_hex_and_utf16_strings_are_decoded():
    info = (
        b"<< /Other [1 0 R << /X 2 >> (skip\\)) ] /ZDNumber <FEFF005A0044002D0031>"
        b" /ZDMatter (a \\(b\\) (c) \\\\ d\\\ne) /ZDDecision (\\376\\377\\121\\306\\116\\210) >>"
    )
    assert decision_summary(_pdf(info)) == {
        "number": "ZD-1",
        "matter": "a (b) (c) \\ de",
        "decision": "准予",
    }


def test_the_newest_definition_of_the_info_object_counts():
    old = b"<< /ZDNumber (old) /ZDMatter (m) /ZDDecision (d) >>\nendobj\n1 0 obj\n"
    new = b"<< /ZDNumber (new) /ZDMatter (m) /ZDDecision (d) >>"
    assert decision_summary(_pdf(old + new))["number"] == "new"


@pytest.mark.parametrize(
    "info",
    [
        b"<< /ZDNumber (n) /ZDMatter (m) >>",
        b"<< /ZDNumber (n) /ZDMatter (m) /ZDDecision () >>",
        b"<< /ZDNumber (n) /ZDMatter (m) /ZDDecision /Name >>",
        b"<< /ZDNumber (n) /ZDMatter (m) /ZDDecision (unterminated >>",
        b"[ /ZDNumber (n) /ZDMatter (m) /ZDDecision (d) ]",
        b"<< /ZDNumber (n) /ZDMatter (m) /ZDDecision <FEFFD8> >>",
        b"<< " + b"[" * 5000 + b" >>",
    ],
)
def test_missing_or_malformed_decision_details_are_unreadable(info):
    with pytest.raises(DocumentUnreadable):
        decision_summary(_pdf(info))


def test_a_trailer_without_info_is_unreadable():
    info = b"<< /ZDNumber (n) /ZDMatter (m) /ZDDecision (d) >>"
    with pytest.raises(DocumentUnreadable):
        decision_summary(_pdf(info, trailer_info=b"/Root 1 0 R"))


def test_the_digest_covers_everything_but_the_placeholder():
    head = b"%PDF-1.7\n1 0 obj\n<< /Type /Sig /Contents "
    placeholder = b"<" + b"0" * 20 + b">"
    tail_template = b" /ByteRange [0 %06d %06d %06d] >>\nendobj\n%%%%EOF\n"
    start = len(head) + len(placeholder)
    tail = tail_template % (len(head), start, 0)
    tail = tail_template % (len(head), start, len(tail))
    pdf = head + placeholder + tail
    assert signed_digest(pdf, 32) == hashlib.sha256(head + tail).digest()
    assert signed_digest(pdf, 64) == hashlib.sha512(head + tail).digest()
    with pytest.raises(DocumentUnreadable):
        signed_digest(pdf, 20)
    with pytest.raises(DocumentUnreadable):
        signed_digest(pdf.replace(b"/Contents ", b"/Contentz "), 32)
    with pytest.raises(DocumentUnreadable):
        signed_digest(pdf.replace(b"<" + b"0" * 20, b"<" + b"0" * 19 + b"x"), 32)
