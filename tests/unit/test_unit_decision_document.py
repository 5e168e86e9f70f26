"""The decision document PDF: content, embedded fonts, layout, and signing it with pyHanko."""

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from concurrent.futures import ThreadPoolExecutor
from cryptography.hazmat.primitives import serialization
from dataclasses import FrozenInstanceError
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from io import BytesIO
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign import signers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.pdfbase import pdfmetrics
from tests.helpers.approval import poppler
from zhangdian.approval.documents import decision_document
from zhangdian.approval.documents.decision_document import FONT_ENV
from zhangdian.approval.documents.decision_document import SIGNATURE_BOX
from zhangdian.approval.documents.decision_document import SIGNATURE_FIELD
from zhangdian.approval.documents.decision_document import SIGNATURE_PAGE
from zhangdian.approval.documents.decision_document import DecisionData
from zhangdian.approval.documents.decision_document import DecisionFontError
from zhangdian.approval.documents.decision_document import chinese_date
from zhangdian.approval.documents.decision_document import document_number
from zhangdian.approval.documents.decision_document import font_name
from zhangdian.approval.documents.decision_document import identifier_label
from zhangdian.approval.documents.decision_document import qr_payload
from zhangdian.approval.documents.decision_document import render_decision
from zhangdian.approval.documents.decision_document import signing_summary
from zhangdian.approval.documents.decision_document import unsupported_characters
from zhangdian.approval.documents.decision_document import wrap
from zhangdian.approval.signing.prepare import prepare
from zhangdian.approval.testing.pki import make_ca
from zhangdian.approval.testing.pki import make_signing_certificate
from zhangdian.signer import agent
from zhangdian.signer.document import decision_summary
from zhangdian.signer.document import signed_digest

import asyncio
import base64
import pytest
import re


VERIFY_URL = "http://localhost:8080/Plone/@@verify-decision?number=ZD-2026-000123&code=7K3M9QXA"
APPROVED = DecisionData(
    bureau_name="淄博市张店区行政审批服务局",
    application_number="ZD-2026-000123",
    applicant_name="淄博市张店区好运来餐饮管理有限公司",
    applicant_identifier="91370303MA3C8XYR1T",
    matter_code="370303-SPJY-001",
    matter_name="食品经营许可（新办）",
    legal_basis="《中华人民共和国食品安全法》第三十五条\n《食品经营许可和备案管理办法》第十条、第十七条",
    decision="approved",
    reason="许可证有效期五年，请于有效期届满三十个工作日前申请延续。",
    decided_on=date(2026, 11, 22),
    approver_name="李明",
    verify_url=VERIFY_URL,
    query_code="7K3M9QXA",
)
REFUSED = replace(
    APPROVED,
    decision="refused",
    reason=(
        "申请人提交的经营场所平面图与现场核查情况不一致，食品处理区面积不足十二平方米，"
        "不符合《食品经营许可审查通则》第十二条关于经营场所的要求。"
    ),
)
# A4 in points, and the 25 mm side margins of the layout.
PAGE_WIDTH, PAGE_HEIGHT = 595.2756, 841.8898
SIDE_MARGIN = 70.866


def flat(text: str) -> str:
    """`text` without any whitespace, so that line breaks do not matter."""
    return "".join(text.split())


def info(pdf: bytes, tmp_path) -> dict[str, str]:
    """The document information that pdfinfo reports."""
    pairs = (line.split(":", 1) for line in poppler("pdfinfo", pdf, tmp_path).splitlines())
    return {pair[0].strip(): pair[1].strip() for pair in pairs if len(pair) == 2}


def fonts(pdf: bytes, tmp_path) -> list[dict[str, str]]:
    """pdffonts' table as one dict per font, cut at the columns of its dashed ruler."""
    lines = poppler("pdffonts", pdf, tmp_path).splitlines()
    header, ruler, *rows = lines
    spans = [match.span() for match in re.finditer(r"-+", ruler)]
    names = [header[start:end].strip() for start, end in spans]
    # The last column ("object ID") is two numbers wide; give it the rest of the row.
    spans[-1] = (spans[-1][0], None)
    return [
        {name: row[start:end].strip() for name, (start, end) in zip(names, spans, strict=True)}
        for row in rows
    ]


class _Words(HTMLParser):
    """Collects the pages and word boxes of `pdftotext -bbox` output."""

    def __init__(self):
        super().__init__()
        self.pages: list[list[tuple[float, float, float, float, str]]] = []
        self._box = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "page":
            self.pages.append([])
        elif tag == "word":
            self._box = tuple(float(values[key]) for key in ("xmin", "ymin", "xmax", "ymax"))

    def handle_data(self, data):
        if self._box is not None:
            self.pages[-1].append((*self._box, data))
            self._box = None


def words(pdf: bytes, tmp_path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, each word's box (x_min, y_min, x_max, y_max from the top left) and text."""
    parser = _Words()
    parser.feed(poppler("pdftotext", pdf, tmp_path, "-bbox"))
    return parser.pages


@pytest.fixture(scope="module")
def approved_pdf():
    """The approval rendered once for the tests that only read it."""
    return render_decision(APPROVED)


@pytest.fixture(scope="module")
def refused_pdf():
    """The refusal rendered once for the tests that only read it."""
    return render_decision(REFUSED)


@pytest.fixture
def long_refusal():
    """A refusal whose numbered reasons fill more than the first page."""
    reasons = "\n".join(
        f"第{number}项：申请材料第{number}页所附经营场所照片与现场核查情况不一致，不符合审查通则的规定。"
        for number in range(1, 13)
    )
    return replace(REFUSED, reason=reasons)


# ---------------------------------------------------------------------------------------------
# What the document says
# ---------------------------------------------------------------------------------------------


def test_approval_shows_everything_the_applicant_needs(approved_pdf, tmp_path):
    text = flat(poppler("pdftotext", approved_pdf, tmp_path))
    for expected in (
        "准予行政许可决定书",
        "张审独决〔2026〕000123号",
        "淄博市张店区好运来餐饮管理有限公司",
        "统一社会信用代码：91370303MA3C8XYR1T",
        "食品经营许可（新办）",
        "370303-SPJY-001",
        "ZD-2026-000123",
        "《中华人民共和国食品安全法》第三十五条",
        "《食品经营许可和备案管理办法》第十条、第十七条",
        "本机关决定准予行政许可",
        "备注：许可证有效期五年，请于有效期届满三十个工作日前申请延续。",
        "独立审批员：李明",
        "淄博市张店区行政审批服务局",
        "2026年11月22日",
        "查询码：7K3M9QXA",
        VERIFY_URL,
    ):
        assert expected in text, expected
    assert "不予行政许可" not in text
    assert "行政复议" not in text


def test_approval_without_remark_has_no_remark_line(tmp_path):
    text = flat(poppler("pdftotext", render_decision(replace(APPROVED, reason="  ")), tmp_path))
    assert "准予行政许可决定书" in text
    assert "备注" not in text


def test_refusal_states_reason_and_remedies(refused_pdf, tmp_path):
    text = flat(poppler("pdftotext", refused_pdf, tmp_path))
    for expected in (
        "不予行政许可决定书",
        "张审独决〔2026〕000123号",
        "淄博市张店区好运来餐饮管理有限公司",
        "食品经营许可（新办）",
        flat(REFUSED.reason),
        "本机关决定不予行政许可",
        "《中华人民共和国食品安全法》第三十五条",
        "自收到本决定书之日起六十日内依法申请行政复议",
        "自收到本决定书之日起六个月内依法向人民法院提起行政诉讼",
        "独立审批员：李明",
        "2026年11月22日",
        VERIFY_URL,
    ):
        assert expected in text, expected
    assert "准予行政许可" not in text


@pytest.mark.parametrize("pdf_fixture", ["approved_pdf", "refused_pdf"])
def test_one_a4_page_with_metadata(pdf_fixture, request, tmp_path):
    pdf = request.getfixturevalue(pdf_fixture)
    details = info(pdf, tmp_path)
    title = "准予行政许可决定书" if pdf_fixture == "approved_pdf" else "不予行政许可决定书"
    assert pdf.startswith(b"%PDF-")
    assert details["Pages"] == "1"
    assert details["Page size"].startswith("595.276 x 841.89 pts (A4)")
    assert details["Title"] == f"{title} 张审独决〔2026〕000123号"
    assert details["Author"] == "淄博市张店区行政审批服务局"
    assert details["Subject"] == "ZD-2026-000123"
    assert details["Encrypted"] == "no"


@pytest.mark.parametrize("pdf_fixture", ["approved_pdf", "refused_pdf"])
def test_every_font_is_embedded_truetype(pdf_fixture, request, tmp_path):
    table = fonts(request.getfixturevalue(pdf_fixture), tmp_path)
    assert table
    for font in table:
        assert font["emb"] == "yes", font
        assert font["type"] == "TrueType", font
        assert font["uni"] == "yes", font
        assert "WenQuanYiZenHei" in font["name"], font


@pytest.mark.parametrize(
    ("identifier", "label"),
    [
        ("91370303MA3C8XYR1T", "统一社会信用代码"),
        ("91350100M000100Y43", "统一社会信用代码"),
        ("11010519491231002X", "身份证件号码"),
        ("11010519491231002x", "身份证件号码"),
        ("110105194912310021", "证件号码"),
        ("91370303MA3C8XYR1A", "证件号码"),
        ("E12345678", "证件号码"),
    ],
)
def test_identifier_label_follows_the_check_digit(identifier, label):
    assert identifier_label(identifier) == label


def test_document_number_and_date():
    assert document_number("ZD-2026-000123") == "张审独决〔2026〕000123号"
    assert document_number("ZD-2027-1234567") == "张审独决〔2027〕1234567号"
    assert chinese_date(date(2026, 3, 5)) == "2026年3月5日"
    assert chinese_date(date(2026, 11, 22)) == "2026年11月22日"


def test_qr_code_encodes_the_verification_address(monkeypatch):
    given = []

    class Recording(decision_document.QrCodeWidget):
        def __init__(self, value, **options):
            given.append(value)
            super().__init__(value, **options)

    monkeypatch.setattr(decision_document, "QrCodeWidget", Recording)
    render_decision(REFUSED)
    assert qr_payload(REFUSED) == VERIFY_URL
    assert given == [VERIFY_URL]


# ---------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------


def _inside(box, x1, y1, x2, y2) -> bool:
    """Whether a pdftotext word box (top-left origin) overlaps the PDF rectangle."""
    x_min, y_min, x_max, y_max, _text = box
    return x_min < x2 and x_max > x1 and PAGE_HEIGHT - y_max < y2 and PAGE_HEIGHT - y_min > y1


LONG_NAMES = replace(
    REFUSED,
    bureau_name="淄博市张店区人民政府行政审批服务局（淄博市张店区政务服务管理办公室）",
    approver_name="阿卜杜热合曼·买买提艾力·艾合买提江",
)


@pytest.mark.parametrize(
    "data", [APPROVED, REFUSED, LONG_NAMES], ids=["approved", "refused", "long"]
)
def test_text_stays_on_the_page_and_out_of_the_signature_box(data, tmp_path):
    (page,) = words(render_decision(data), tmp_path)
    for word in page:
        assert word[0] >= SIDE_MARGIN - 0.5, word
        assert word[2] <= PAGE_WIDTH - SIDE_MARGIN + 0.5, word
        assert not _inside(word, *SIGNATURE_BOX), word
    approver = next(word for word in page if word[4].startswith("独立审批员"))
    dates = [word for word in page if word[4] == "2026年11月22日"]
    # The box lies between the approver's name above it and the date below it.
    assert PAGE_HEIGHT - approver[3] > SIGNATURE_BOX[3]
    assert dates and PAGE_HEIGHT - dates[0][1] < SIGNATURE_BOX[1]
    assert SIGNATURE_BOX[0] > PAGE_WIDTH / 2


def test_long_reason_continues_on_a_second_page(long_refusal, tmp_path):
    pdf = render_decision(long_refusal)
    assert info(pdf, tmp_path)["Pages"] == "2"
    text = flat(poppler("pdftotext", pdf, tmp_path))
    # The page footers sit between the pages' text.
    assert "张审独决〔2026〕000123号第1页共2页" in text
    assert "张审独决〔2026〕000123号第2页共2页" in text
    body = re.sub(r"张审独决〔2026〕000123号第\d页共2页", "", text)
    assert flat(long_refusal.reason) in body
    for expected in (
        "自收到本决定书之日起六个月内",
        "独立审批员：李明",
        "2026年11月22日",
        VERIFY_URL,
    ):
        assert expected in body, expected
    first, last = words(pdf, tmp_path)
    # The closing block (approver, bureau, date, QR address) is on the last page only.
    assert not any(word[4].startswith("独立审批员") for word in first)
    assert any(word[4].startswith("独立审批员") for word in last)
    for page in (first, last):
        for word in page:
            assert word[0] >= SIDE_MARGIN - 0.5 and word[2] <= PAGE_WIDTH - SIDE_MARGIN + 0.5
            assert word[1] > 0 and word[3] < PAGE_HEIGHT, word
            assert not _inside(word, *SIGNATURE_BOX) or page is first, word


def test_very_long_text_makes_as_many_pages_as_needed(tmp_path):
    data = replace(REFUSED, reason="申请材料不齐全，经营场所不符合要求。" * 400)
    pdf = render_decision(data)
    pages = int(info(pdf, tmp_path)["Pages"])
    assert pages >= 4
    assert f"第{pages}页共{pages}页" in flat(poppler("pdftotext", pdf, tmp_path))


def test_wrap_keeps_width_punctuation_and_codes():
    font = font_name()
    text = (
        "申请编号ZD-2026-000123的申请人，于二〇二六年提交的材料中，场所面积、布局均不符合规定。" * 3
    )
    lines = wrap(text, font, 14, 200, indent=28)
    assert "".join(lines) == text
    assert pdfmetrics.stringWidth(lines[0], font, 14) <= 200 - 28
    for line in lines:
        assert pdfmetrics.stringWidth(line, font, 14) <= 200
        assert line[0] not in "，。、；：）》"
        assert line[-1] not in "（《"
    # A code that fits on a line is never split.
    assert sum("ZD-2026-000123" in line for line in lines) == 3


def test_wrap_breaks_an_address_longer_than_the_line():
    font = font_name()
    url = "https://example.org/" + "a" * 300
    lines = wrap(url, font, 9, 150)
    assert len(lines) > 3
    assert "".join(lines) == url
    assert all(pdfmetrics.stringWidth(line, font, 9) <= 150 for line in lines)


def test_wrap_never_ends_a_broken_address_with_a_hyphen():
    font = font_name()
    url = "https://example.org/?number=" + "ZD-2026-000123-" * 20
    lines = wrap(url, font, 9, 150)
    assert "".join(lines) == url
    # pdftotext and PDF viewers would drop such a hyphen as a hyphenation mark.
    assert not any(line.endswith("-") for line in lines[:-1])


def test_wrap_drops_spaces_at_line_breaks():
    font = font_name()
    lines = wrap("Food business licence " * 20, font, 10, 120)
    assert all(line == line.strip() for line in lines)
    assert " ".join(lines) == ("Food business licence " * 20).strip()


# ---------------------------------------------------------------------------------------------
# Fonts
# ---------------------------------------------------------------------------------------------


def test_missing_font_names_the_debian_package(monkeypatch, tmp_path):
    missing = tmp_path / "no-such-font.ttc"
    monkeypatch.setenv(FONT_ENV, str(missing))
    with pytest.raises(DecisionFontError, match="fonts-wqy-zenhei") as raised:
        render_decision(APPROVED)
    assert str(missing) in str(raised.value)
    assert FONT_ENV in str(raised.value)


def test_a_file_that_is_no_truetype_font_is_refused_clearly(monkeypatch, tmp_path):
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font at all")
    monkeypatch.setenv(FONT_ENV, str(bogus))
    with pytest.raises(DecisionFontError, match="cannot be embedded"):
        render_decision(APPROVED)


def test_font_path_comes_from_the_environment(monkeypatch, tmp_path, approved_pdf):
    copy = tmp_path / "copy.ttc"
    copy.symlink_to(decision_document.FONT_PATH)
    monkeypatch.setenv(FONT_ENV, str(copy))
    assert font_name() != decision_document._FONT_NAMES[decision_document.FONT_PATH]
    pdf = render_decision(APPROVED)
    assert flat(poppler("pdftotext", pdf, tmp_path)) == flat(
        poppler("pdftotext", approved_pdf, tmp_path)
    )


def test_characters_the_font_lacks_are_reported():
    assert unsupported_characters(APPROVED) == ""
    assert unsupported_characters(replace(APPROVED, approver_name="王𠇔")) == "𠇔"


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_refusal_without_reason_is_refused(reason):
    with pytest.raises(ValueError, match="reason"):
        replace(REFUSED, reason=reason)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"decision": "maybe"}, "decision"),
        ({"decision": "Approved"}, "decision"),
        ({"application_number": "2026-123"}, "application number"),
        ({"applicant_name": " "}, "applicant_name is required"),
        ({"legal_basis": ""}, "legal_basis is required"),
        ({"approver_name": "李\n明"}, "single line"),
        ({"verify_url": "javascript:alert(1)"}, "http"),
        ({"verify_url": "https://example.org/" + "x" * 300}, "longer"),
        ({"reason": "长" * 10_001}, "longer"),
        ({"reason": None}, "text"),
        ({"decided_on": "2026-11-22"}, "date"),
    ],
)
def test_bad_data_is_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        replace(APPROVED, **changes)


def test_data_is_frozen():
    with pytest.raises(FrozenInstanceError):
        APPROVED.reason = "changed"


def test_renders_from_several_threads(tmp_path):
    variants = [
        replace(REFUSED, approver_name=name) for name in ("张伟", "王芳", "刘洋", "陈静")
    ] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        pdfs = list(pool.map(render_decision, variants))
    for data, pdf in zip(variants, pdfs, strict=True):
        assert f"独立审批员：{data.approver_name}" in flat(poppler("pdftotext", pdf, tmp_path))


# ---------------------------------------------------------------------------------------------
# Signing with pyHanko
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki():
    """A throw-away CA and an approver's certificate and key, in pyHanko's types."""
    ca_cert, ca_key = make_ca()
    cert, key = make_signing_certificate(ca_cert, ca_key, "李明")
    der = serialization.Encoding.DER
    return (
        asn1_x509.Certificate.load(ca_cert.public_bytes(der)),
        asn1_x509.Certificate.load(cert.public_bytes(der)),
        asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
    )


async def _sign_and_validate(pdf: bytes, pki, spec: fields.SigFieldSpec):
    """Sign `pdf` into a new visible field, then return the signed bytes and the status."""
    ca, cert, key = pki
    signer = signers.SimpleSigner(
        signing_cert=cert, signing_key=key, cert_registry=SimpleCertificateStore.from_certs([ca])
    )
    output = await signers.async_sign_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf)),
        signers.PdfSignatureMetadata(field_name=SIGNATURE_FIELD),
        signer=signer,
        new_field_spec=spec,
    )
    signed = output.getvalue()
    (signature,) = PdfFileReader(BytesIO(signed)).embedded_signatures
    status = await async_validate_pdf_signature(signature, ValidationContext(trust_roots=[ca]))
    return signed, signature, status


def _assert_valid(pdf: bytes, signed: bytes, signature, status):
    """The signature is intact, valid, trusted, covers the whole file and appended to `pdf`."""
    assert signed.startswith(pdf)
    assert signature.field_name == SIGNATURE_FIELD
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.modification_level.name == "NONE"
    assert status.signing_cert.subject.native["common_name"] == "李明"
    rect = [float(value) for value in signature.sig_field["/Rect"]]
    assert rect == [float(value) for value in SIGNATURE_BOX]


def test_pyhanko_signs_the_box_on_page_0(refused_pdf, pki):
    spec = fields.SigFieldSpec(SIGNATURE_FIELD, box=SIGNATURE_BOX)
    signed, signature, status = asyncio.run(_sign_and_validate(refused_pdf, pki, spec))
    _assert_valid(refused_pdf, signed, signature, status)
    page = PdfFileReader(BytesIO(signed)).root["/Pages"]["/Kids"][0]
    assert signature.sig_field.get_object()["/P"] == page.get_object()


def test_pyhanko_signs_the_last_page_of_a_long_decision(long_refusal, pki):
    pdf = render_decision(long_refusal)
    spec = fields.SigFieldSpec(SIGNATURE_FIELD, box=SIGNATURE_BOX, on_page=SIGNATURE_PAGE)
    signed, signature, status = asyncio.run(_sign_and_validate(pdf, pki, spec))
    _assert_valid(pdf, signed, signature, status)
    kids = PdfFileReader(BytesIO(signed)).root["/Pages"]["/Kids"]
    assert len(kids) == 2
    assert signature.sig_field.get_object()["/P"] == kids[-1].get_object()


def test_changing_a_signed_decision_breaks_the_signature(approved_pdf, pki):
    spec = fields.SigFieldSpec(SIGNATURE_FIELD, box=SIGNATURE_BOX)
    signed, _signature, _status = asyncio.run(_sign_and_validate(approved_pdf, pki, spec))
    # One changed byte in the signed range (the Creator entry of the Info dictionary).
    position = signed.index(b"zhangdian.approval")
    tampered = signed[:position] + b"Zhangdian.approval" + signed[position + 18 :]
    (signature,) = PdfFileReader(BytesIO(tampered)).embedded_signatures
    ca = pki[0]
    status = asyncio.run(
        async_validate_pdf_signature(signature, ValidationContext(trust_roots=[ca]))
    )
    assert not status.intact
    assert not status.bottom_line


@pytest.mark.parametrize(
    ("pdf_fixture", "decision"),
    [("approved_pdf", "准予行政许可决定书"), ("refused_pdf", "不予行政许可决定书")],
)
def test_info_states_the_decision_for_the_signing_agent(pdf_fixture, decision, request):
    pdf = request.getfixturevalue(pdf_fixture)
    assert decision_summary(pdf) == {
        "number": "ZD-2026-000123",
        "matter": "370303-SPJY-001 食品经营许可（新办）",
        "decision": decision,
    }
    assert decision_summary(pdf) == signing_summary(
        APPROVED if "approved" in pdf_fixture else REFUSED
    )


@pytest.mark.parametrize("data_fixture", ["approved_pdf", "long_refusal"])
def test_the_agent_reads_and_digests_the_prepared_decision(data_fixture, request):
    value = request.getfixturevalue(data_fixture)
    pdf = value if isinstance(value, bytes) else render_decision(value)
    ca_cert, ca_key = make_ca()
    cert, _key = make_signing_certificate(ca_cert, ca_key, "李明")
    prepared = prepare(
        pdf, cert, field_name=SIGNATURE_FIELD, box=SIGNATURE_BOX, page=SIGNATURE_PAGE
    )
    assert decision_summary(prepared.document) == decision_summary(pdf)
    assert signed_digest(prepared.document, 32) == prepared.document_digest
    # The agent's body limit leaves room for the document in base64 several times over.
    assert 4 * len(base64.b64encode(prepared.document)) < agent.MAX_BODY


def test_the_largest_decision_fits_the_agents_body_limit():
    # Every character different: the embedded font subset is as large as the limits allow.
    chars = "".join(chr(0x4E00 + i) for i in range(2 * decision_document.MAX_TEXT_LENGTH))
    data = replace(
        APPROVED,
        reason=chars[: decision_document.MAX_TEXT_LENGTH],
        legal_basis=chars[decision_document.MAX_TEXT_LENGTH :],
    )
    ca_cert, ca_key = make_ca()
    cert, _key = make_signing_certificate(ca_cert, ca_key, "李明")
    prepared = prepare(render_decision(data), cert, field_name=SIGNATURE_FIELD, box=SIGNATURE_BOX)
    # The request also carries data_to_sign, nonce and summary: a few KiB.
    assert len(base64.b64encode(prepared.document)) + 64 * 1024 < agent.MAX_BODY
