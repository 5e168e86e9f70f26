"""The decision document (决定书): an A4 PDF in Chinese that the independent approver signs.

`render_decision` draws 准予/不予行政许可决定书 with reportlab, embedding a subset of a
TrueType CJK font so that the document looks the same everywhere and stays valid for archiving.
The lower right of the last page keeps `SIGNATURE_BOX` empty: the signing step adds a PDF
signature field named `SIGNATURE_FIELD` there (pyHanko, incremental update), so the approver's
visible signature lands above the bureau name and the date. The document information
dictionary also carries number, matter and decision under the signing agent's `INFO_KEYS`:
the agent reads them from the very document it signs and shows them to the approver.

Nothing here depends on Plone.
"""

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from zhangdian.approval import _
from zhangdian.approval.errors import ApprovalError
from zhangdian.approval.rules.identifiers import resident_id_check_character
from zhangdian.approval.rules.identifiers import social_credit_check_character
from zhangdian.signer.document import INFO_KEYS

import hashlib
import os
import re
import threading


FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT_ENV = "ZHANGDIAN_PDF_FONT"
FONT_PACKAGE = "fonts-wqy-zenhei"
# Face 0 of the WenQuanYi collection is the proportional Zen Hei (1 is the monospaced one).
FONT_SUBFONT_INDEX = 0

SIGNATURE_FIELD = "ApproverSignature"
# (x1, y1, x2, y2) in PDF points on the last page (`SIGNATURE_PAGE`), which for the usual
# one-page decision is page 0: above the bureau name and the date, as a seal would be.
SIGNATURE_BOX = (334, 100, 514, 170)
# pyHanko counts negative page numbers from the back.
SIGNATURE_PAGE = -1

APPROVED = "approved"
REFUSED = "refused"
TITLES = {APPROVED: "准予行政许可决定书", REFUSED: "不予行政许可决定书"}
DOCUMENT_NUMBER_PREFIX = "张审独决"
MAX_TEXT_LENGTH = 10_000
MAX_URL_LENGTH = 200

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 25 * mm
RIGHT = PAGE_WIDTH - 25 * mm
TOP = PAGE_HEIGHT - 25 * mm
BOTTOM = 20 * mm
CONTENT_WIDTH = RIGHT - LEFT

BUREAU_SIZE = 18
TITLE_SIZE = 24
NUMBER_SIZE = 14
BODY_SIZE = 14
BODY_LEADING = 23
SMALL_SIZE = 9
SMALL_LEADING = 12
QR_SIZE = 80
# The QR code is drawn without its own border; this gap (about four modules) and the page
# margins around it are its quiet zone.
QR_GAP = 10

# Baselines of the header on the first page.
BUREAU_BASELINE = TOP - BUREAU_SIZE
TITLE_BASELINE = BUREAU_BASELINE - 38
NUMBER_BASELINE = TITLE_BASELINE - 32
FIRST_BODY_BASELINE = NUMBER_BASELINE - 38
NEXT_BODY_BASELINE = TOP - BODY_SIZE
# The last page ends with two columns under the body: on the left the verification address
# over its QR code, on the right the approver, the signature box, the bureau and the date.
SIGNER_BUREAU_BASELINE = SIGNATURE_BOX[1] - 16
DATE_BASELINE = SIGNER_BUREAU_BASELINE - 22
APPROVER_BASELINE = SIGNATURE_BOX[3] + 10
VERIFY_RIGHT = SIGNATURE_BOX[0] - 20
VERIFY_BASELINE = BOTTOM + QR_SIZE + QR_GAP + 2
BODY_FLOOR = BOTTOM + 10
PAGE_NUMBER_BASELINE = BOTTOM - 24
# A continued document never ends with a page that holds the closing block alone.
KEEP_WITH_CLOSING = 2

REMEDY_NOTICE = (
    "如不服本决定，你（单位）可以自收到本决定书之日起六十日内依法申请行政复议，"
    "也可以自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"
)
VERIFY_HINT = "扫描二维码或访问以下地址，可核验本决定书的真伪："

NO_LINE_START = frozenset("，。、；：！？）》」』】〕”’,.;:!?)]}%")
NO_LINE_END = frozenset("（《「『【〔“‘([{")
_NUMBER = re.compile(r"^[A-Z]+-(\d{4})-(\d+)$")
# Runs of printable ASCII (numbers, codes, URLs) stay together where the line allows.
_TOKEN = re.compile(r"[!-~]+|.", re.DOTALL)
# The forms of a unified social credit code (GB 32100-2015) and a citizen ID number
# (GB 11643-1999); their check characters come from rules.identifiers.
_USCC = re.compile(r"^[1-9A-HNY][0-9A-Z][0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$")
_ID_NUMBER = re.compile(r"^[1-9][0-9]{16}[0-9X]$")
_SINGLE_LINE = (
    "bureau_name",
    "application_number",
    "applicant_name",
    "applicant_identifier",
    "matter_code",
    "matter_name",
    "approver_name",
    "verify_url",
    "query_code",
)

# reportlab keeps its font registry and each font's subset state in shared, unsynchronised
# dicts, and Zope renders from several threads.
_LOCK = threading.Lock()
_FONT_NAMES: dict[str, str] = {}


class DecisionFontError(ApprovalError, RuntimeError):
    """The CJK font for decision documents is missing or cannot be embedded."""

    # The server is set up wrongly; over REST it stays the 500 plone.rest typed so.
    code = "DecisionFontError"
    status = 500


@dataclass(frozen=True)
class DecisionData:
    """Everything printed on one decision document."""

    bureau_name: str
    application_number: str
    applicant_name: str
    applicant_identifier: str
    matter_code: str
    matter_name: str
    legal_basis: str
    decision: str
    reason: str
    decided_on: date
    approver_name: str
    verify_url: str
    query_code: str

    def __post_init__(self):
        """Refuse data that cannot make a lawful, readable document."""
        _check_texts(self)
        if self.decision not in TITLES:
            raise ValueError(f"decision must be {APPROVED!r} or {REFUSED!r}, not {self.decision!r}")
        if self.decision == REFUSED and not self.reason.strip():
            raise ValueError("a refusal must state its reason")
        if not isinstance(self.decided_on, date):
            raise ValueError("decided_on must be a date")
        if not self.verify_url.startswith(("https://", "http://")):
            raise ValueError("verify_url must be an http(s) address")
        if len(self.verify_url) > MAX_URL_LENGTH:
            raise ValueError(f"verify_url is longer than {MAX_URL_LENGTH} characters")
        document_number(self.application_number)


def _check_texts(data: DecisionData):
    """Raise ValueError unless every text field is a string, required ones are not blank."""
    for name in (*_SINGLE_LINE, "legal_basis", "reason"):
        value = getattr(data, name)
        if not isinstance(value, str):
            raise ValueError(f"{name} must be text")
        if name != "reason" and not value.strip():
            raise ValueError(f"{name} is required")
        if name in _SINGLE_LINE and ("\n" in value or "\r" in value):
            raise ValueError(f"{name} must be a single line")
        if len(value) > MAX_TEXT_LENGTH:
            raise ValueError(f"{name} is longer than {MAX_TEXT_LENGTH} characters")


def document_number(application_number: str) -> str:
    """The document number, e.g. 张审独决〔2026〕000123号 for ZD-2026-000123."""
    match = _NUMBER.match(application_number)
    if match is None:
        raise ValueError(f"not an application number: {application_number!r}")
    year, serial = match.groups()
    return f"{DOCUMENT_NUMBER_PREFIX}〔{year}〕{serial}号"


def chinese_date(day: date) -> str:
    """The date as written in official documents, e.g. 2026年11月22日."""
    return f"{day.year}年{day.month}月{day.day}日"


def identifier_label(identifier: str) -> str:
    """统一社会信用代码 or 身份证件号码 when the check digit proves which, else 证件号码."""
    value = identifier.strip().upper()
    if _ID_NUMBER.match(value) and resident_id_check_character(value[:-1]) == value[-1]:
        return "身份证件号码"
    if _USCC.match(value) and social_credit_check_character(value[:-1]) == value[-1]:
        return "统一社会信用代码"
    return "证件号码"


def qr_payload(data: DecisionData) -> str:
    """What the QR code encodes: the public verification address."""
    return data.verify_url.strip()


def font_path() -> str:
    """The TrueType font file to embed: $ZHANGDIAN_PDF_FONT, else `FONT_PATH`."""
    return os.environ.get(FONT_ENV) or FONT_PATH


def font_name() -> str:
    """Register the configured font with reportlab once and return its name."""
    path = font_path()
    with _LOCK:
        return _register_font(path)


def unsupported_characters(data: DecisionData) -> str:
    """The characters of `data` that the font has no glyph for (they would print as blanks)."""
    glyphs = pdfmetrics.getFont(font_name()).face.charToGlyph
    text = "".join(value for value in vars(data).values() if isinstance(value, str))
    return "".join(
        sorted({char for char in text if char.isprintable() and ord(char) not in glyphs})
    )


def signing_summary(data: DecisionData) -> dict[str, str]:
    """Number, matter and decision as the document states them for the signing agent."""
    return {
        "number": data.application_number,
        "matter": f"{data.matter_code} {data.matter_name}",
        "decision": TITLES[data.decision],
    }


class _DecisionInfo(pdfdoc.PDFInfo):
    """reportlab's document information with the signing agent's keys added."""

    def __init__(self, summary: dict[str, str]):
        """Information that also states `summary` (see `signing_summary`)."""
        super().__init__()
        self.summary = summary

    def format(self, document):
        """The /Info dictionary: reportlab's standard keys, then INFO_KEYS."""
        # reportlab has no hook for extra keys, so its format is restated with them added.
        date = pdfdoc.PDFDate(ts=document._timeStamp, dateFormatter=self._dateFormatter)
        entries = {
            "Title": pdfdoc.PDFString(self.title),
            "Author": pdfdoc.PDFString(self.author),
            "CreationDate": date,
            "ModDate": date,
            "Producer": pdfdoc.PDFString(self.producer),
            "Creator": pdfdoc.PDFString(self.creator),
            "Subject": pdfdoc.PDFString(self.subject),
            "Keywords": pdfdoc.PDFString(self.keywords),
            "Trapped": pdfdoc.PDFName(self.trapped),
        }
        for key, name in INFO_KEYS.items():
            entries[name] = pdfdoc.PDFString(self.summary[key])
        return pdfdoc.PDFDictionary(entries).format(document)


def write_signing_summary(canvas: Canvas, summary: dict[str, str]) -> None:
    """Make `canvas` write `summary` into its /Info for the agent; call before setTitle."""
    canvas._doc.info = _DecisionInfo(summary)


def render_decision(data: DecisionData) -> bytes:
    """The decision document as PDF bytes: one A4 page, more only if the text needs them."""
    path = font_path()
    with _LOCK:
        font = _register_font(path)
        verify_lines = _verify_lines(data, font)
        pages = _paginate(_body_lines(data, font), _last_body_floor(len(verify_lines)))
        title = TITLES[data.decision]
        number = document_number(data.application_number)
        buffer = BytesIO()
        # The initial font is embedded too; reportlab's default (Helvetica) would not be.
        canvas = Canvas(
            buffer,
            pagesize=A4,
            pageCompression=1,
            lang="zh-CN",
            initialFontName=font,
            initialFontSize=BODY_SIZE,
        )
        write_signing_summary(canvas, signing_summary(data))
        canvas.setTitle(f"{title} {number}")
        canvas.setAuthor(data.bureau_name.strip())
        canvas.setSubject(data.application_number)
        canvas.setCreator("zhangdian.approval")
        for index, lines in enumerate(pages):
            if index == 0:
                _draw_header(canvas, font, data, title, number)
            baseline = FIRST_BODY_BASELINE if index == 0 else NEXT_BODY_BASELINE
            canvas.setFont(font, BODY_SIZE)
            for indent, text in lines:
                canvas.drawString(LEFT + indent, baseline, text)
                baseline -= BODY_LEADING
            if len(pages) > 1:
                canvas.setFont(font, SMALL_SIZE)
                canvas.drawCentredString(
                    PAGE_WIDTH / 2,
                    PAGE_NUMBER_BASELINE,
                    f"{number}　第{index + 1}页　共{len(pages)}页",
                )
            if index == len(pages) - 1:
                _draw_closing(canvas, font, data, verify_lines)
            canvas.showPage()
        canvas.save()
        return buffer.getvalue()


def wrap(text: str, font: str, size: float, width: float, indent: float = 0) -> list[str]:
    """Break one paragraph into lines no wider than `width` (the first one `indent` narrower)."""
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    available = width - indent
    for token in _TOKEN.findall(text):
        token_width = pdfmetrics.stringWidth(token, font, size)
        if token.isspace() and not line:
            continue
        if used + token_width <= available:
            line.append(token)
            used += token_width
            continue
        if token.isspace():
            lines.append("".join(line).rstrip())
            line, used, available = [], 0.0, width
            continue
        carry = _carry_over(line, token)
        if line:
            lines.append("".join(line).rstrip())
        line, available = carry, width
        used = pdfmetrics.stringWidth("".join(line), font, size)
        if used + token_width > available:
            # A code or address longer than what is left of the line breaks anywhere.
            for char in token:
                char_width = pdfmetrics.stringWidth(char, font, size)
                if line and used + char_width > available:
                    # Text extraction would take a hyphen at the end of a line for hyphenation.
                    moved = [line.pop()] if len(line) > 1 and line[-1] == "-" else []
                    lines.append("".join(line))
                    line = moved
                    used = pdfmetrics.stringWidth("".join(line), font, size)
                line.append(char)
                used += char_width
        else:
            line.append(token)
            used += token_width
    if line:
        lines.append("".join(line).rstrip())
    return lines


def _carry_over(line: list[str], token: str) -> list[str]:
    """Take from the end of `line` what must move to the next line with `token` (避头尾)."""
    carry: list[str] = []
    if token[0] in NO_LINE_START and len(line) > 1:
        carry.insert(0, line.pop())
    while len(line) > 1 and line[-1] and line[-1][-1] in NO_LINE_END:
        carry.insert(0, line.pop())
    return carry


def _register_font(path: str) -> str:
    """Load and register the TrueType font at `path` unless done already (caller holds _LOCK)."""
    name = _FONT_NAMES.get(path)
    if name is not None:
        return name
    if not os.path.isfile(path):
        raise DecisionFontError(
            _(
                "error_decision_font_missing",
                default="The CJK font for decision documents is missing: ${path} does not "
                "exist. Install the Debian package ${package} (make runtime-deps) or set "
                "${variable} to a TrueType font file (.ttf/.ttc).",
                mapping={"path": path, "package": FONT_PACKAGE, "variable": FONT_ENV},
            )
        )
    name = "ZhangdianCJK-" + hashlib.sha256(path.encode("utf-8")).hexdigest()[:12]
    try:
        font = TTFont(name, path, subfontIndex=FONT_SUBFONT_INDEX)
    except (TTFError, OSError, ValueError) as error:
        # reportlab cannot embed CFF-based OpenType fonts (e.g. Noto Sans CJK), only TrueType.
        raise DecisionFontError(
            _(
                "error_decision_font_unusable",
                default="The font ${path} cannot be embedded in decision documents (${error}). "
                "Install the Debian package ${package} or set ${variable} to a TrueType font "
                "file.",
                mapping={
                    "path": path,
                    "error": str(error),
                    "package": FONT_PACKAGE,
                    "variable": FONT_ENV,
                },
            )
        ) from error
    pdfmetrics.registerFont(font)
    _FONT_NAMES[path] = name
    return name


def _body_lines(data: DecisionData, font: str) -> list[tuple[float, str]]:
    """The body of the decision as (indent, text) lines."""
    lines: list[tuple[float, str]] = []

    def paragraph(text: str, indent: float = 2 * BODY_SIZE):
        wrapped = wrap(text.strip(), font, BODY_SIZE, CONTENT_WIDTH, indent)
        lines.extend((indent if number == 0 else 0, line) for number, line in enumerate(wrapped))

    def paragraphs(text: str):
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            if line.strip():
                paragraph(line)

    identifier = data.applicant_identifier.strip()
    paragraph(
        f"{data.applicant_name.strip()}（{identifier_label(identifier)}：{identifier}）：",
        indent=0,
    )
    opening = (
        f"你（单位）提出的{data.matter_name.strip()}（事项编码：{data.matter_code.strip()}）"
        f"申请（申请编号：{data.application_number}），本机关已依法受理。经独立审批员审查，"
    )
    if data.decision == APPROVED:
        paragraph(opening + "该申请符合法定条件、标准。依据下列规定，本机关决定准予行政许可：")
        paragraphs(data.legal_basis)
        if data.reason.strip():
            paragraphs("备注：" + data.reason.strip())
    else:
        paragraph(opening + "该申请不符合法定条件、标准，理由如下：")
        paragraphs(data.reason)
        paragraph("依据下列规定，本机关决定不予行政许可：")
        paragraphs(data.legal_basis)
        paragraph(REMEDY_NOTICE)
    return lines


def _verify_lines(data: DecisionData, font: str) -> list[str]:
    """The lines printed over the QR code: how to verify, the address, number and query code."""
    width = VERIFY_RIGHT - LEFT
    return [
        *wrap(VERIFY_HINT, font, SMALL_SIZE, width),
        *wrap(qr_payload(data), font, SMALL_SIZE, width),
        *wrap(
            f"申请编号：{data.application_number}　查询码：{data.query_code.strip()}"
            "（凭申请编号和查询码可查询办理进度）",
            font,
            SMALL_SIZE,
            width,
        ),
    ]


def _last_body_floor(verify_line_count: int) -> float:
    """The lowest body baseline on the last page, above both columns of the closing block."""
    verify_top = VERIFY_BASELINE + (verify_line_count - 1) * SMALL_LEADING + SMALL_SIZE
    approver_top = APPROVER_BASELINE + BODY_SIZE
    return max(verify_top, approver_top) + BODY_LEADING


def _capacity(first_baseline: float, floor: float) -> int:
    """How many body lines fit from `first_baseline` down to `floor`."""
    return int((first_baseline - floor) // BODY_LEADING) + 1


def _paginate(lines: list[tuple[float, str]], last_floor: float) -> list[list[tuple[float, str]]]:
    """Split the body lines into pages, leaving room for the closing block on the last one."""
    pages = []
    remaining = lines
    first_baseline = FIRST_BODY_BASELINE
    while True:
        full = _capacity(first_baseline, BODY_FLOOR)
        if len(remaining) <= _capacity(first_baseline, last_floor):
            pages.append(remaining)
            return pages
        take = min(full, len(remaining) - KEEP_WITH_CLOSING)
        pages.append(remaining[:take])
        remaining = remaining[take:]
        first_baseline = NEXT_BODY_BASELINE


def _draw_header(canvas: Canvas, font: str, data: DecisionData, title: str, number: str):
    """Bureau, title and document number, centred at the top of the first page."""
    _draw_fitted(canvas, font, BUREAU_SIZE, data.bureau_name.strip(), BUREAU_BASELINE)
    # The embedded font has no bold face: stroke the outlines as well to embolden the title.
    text = canvas.beginText()
    text.setFont(font, TITLE_SIZE)
    text.setTextRenderMode(2)
    width = pdfmetrics.stringWidth(title, font, TITLE_SIZE)
    text.setTextOrigin((PAGE_WIDTH - width) / 2, TITLE_BASELINE)
    text.textOut(title)
    canvas.saveState()
    canvas.setLineWidth(0.6)
    canvas.drawText(text)
    canvas.restoreState()
    canvas.setFont(font, NUMBER_SIZE)
    canvas.drawCentredString(PAGE_WIDTH / 2, NUMBER_BASELINE, number)


def _draw_fitted(
    canvas: Canvas,
    font: str,
    size: float,
    text: str,
    baseline: float,
    within: tuple[float, float] = (LEFT, RIGHT),
    centre: float | None = None,
    anchor: float | None = None,
):
    """Draw one line starting at `anchor` or centred on `centre`, shifted and shrunk to fit."""
    left, right = within
    width = pdfmetrics.stringWidth(text, font, size)
    if width > right - left:
        # A name too long for its place is set smaller rather than run off the page.
        size *= (right - left) / width
        width = right - left
    if anchor is None:
        anchor = ((left + right) / 2 if centre is None else centre) - width / 2
    canvas.setFont(font, size)
    canvas.drawString(min(max(anchor, left), right - width), baseline, text)


def _draw_closing(canvas: Canvas, font: str, data: DecisionData, verify_lines: list[str]):
    """Approver, the empty signature box, bureau and date; on the left the QR code."""
    x1, _y1, x2, _y2 = SIGNATURE_BOX
    column = (VERIFY_RIGHT + QR_GAP, RIGHT)
    approver = f"独立审批员：{data.approver_name.strip()}"
    _draw_fitted(canvas, font, BODY_SIZE, approver, APPROVER_BASELINE, column, anchor=x1)
    middle = (x1 + x2) / 2
    bureau = data.bureau_name.strip()
    _draw_fitted(canvas, font, BODY_SIZE, bureau, SIGNER_BUREAU_BASELINE, column, centre=middle)
    day = chinese_date(data.decided_on)
    _draw_fitted(canvas, font, BODY_SIZE, day, DATE_BASELINE, column, centre=middle)

    widget = QrCodeWidget(qr_payload(data), barLevel="M", barBorder=0)
    widget.barWidth = widget.barHeight = QR_SIZE
    # Without this the drawing selects reportlab's default Helvetica, which is not embedded.
    drawing = Drawing(QR_SIZE, QR_SIZE, initialFontName=font)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, LEFT, BOTTOM)

    canvas.setFont(font, SMALL_SIZE)
    baseline = VERIFY_BASELINE + (len(verify_lines) - 1) * SMALL_LEADING
    for line in verify_lines:
        canvas.drawString(LEFT, baseline, line)
        baseline -= SMALL_LEADING
