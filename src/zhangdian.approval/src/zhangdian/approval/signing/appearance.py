"""The visible signature stamp: a red frame with 数字签名, the signer's name and the time in UTC+8.

reportlab draws the stamp as a one-page PDF the size of the signature field; pyHanko imports
that page as the field's appearance.
"""

from datetime import datetime
from io import BytesIO
from pyhanko.pdf_utils import content
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.stamp import StaticStampStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from zhangdian.approval.clock import BUREAU_TIMEZONE

import os
import threading


# The same face the decision document embeds (decision_document.FONT_PATH / FONT_ENV); when it
# is missing the appearance falls back to a standard CJK font the viewer supplies.
APPEARANCE_FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
APPEARANCE_FONT_ENV = "ZHANGDIAN_PDF_FONT"
_FALLBACK_FONT = "STSong-Light"
_EMBEDDED_FONT = "ZhangdianSignatureFont"
# Used only when the field already exists and its size is decided by the document.
DEFAULT_APPEARANCE_SIZE = (180, 70)
# The stamp shows the bureau's time (clock.now()) and says which zone that is.
STAMP_ZONE = "UTC+8"

_font_lock = threading.Lock()
_registered_font: str | None = None


def appearance_style(signer_name: str, signed_at: datetime, size) -> StaticStampStyle:
    """A stamp that shows the reportlab-drawn appearance, filling the field's box."""
    return StaticStampStyle(
        background=_ImportedAppearance(_appearance_pdf(signer_name, signed_at, size)),
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )


def _appearance_font() -> str:
    """The registered reportlab font for appearances: the embedded CJK face, or a fallback."""
    global _registered_font
    with _font_lock:
        if _registered_font is None:
            path = os.environ.get(APPEARANCE_FONT_ENV) or APPEARANCE_FONT_PATH
            try:
                pdfmetrics.registerFont(TTFont(_EMBEDDED_FONT, path, subfontIndex=0))
                _registered_font = _EMBEDDED_FONT
            except (OSError, TTFError):
                pdfmetrics.registerFont(UnicodeCIDFont(_FALLBACK_FONT))
                _registered_font = _FALLBACK_FONT
        return _registered_font


def _appearance_pdf(signer_name: str, signed_at: datetime, size) -> bytes:
    """A one-page PDF of the field's size: a frame, the signer's name and the signing time."""
    width, height = size
    font = _appearance_font()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setStrokeColorRGB(0.75, 0.1, 0.1)
    canvas.setFillColorRGB(0.75, 0.1, 0.1)
    canvas.setLineWidth(1.2)
    canvas.roundRect(1, 1, width - 2, height - 2, 4)
    lines = [
        ("数字签名 Digitally signed", 0.16),
        (signer_name, 0.24),
        (signed_at.astimezone(BUREAU_TIMEZONE).strftime("%Y-%m-%d %H:%M:%S ") + STAMP_ZONE, 0.13),
    ]
    total = sum(height * share for _, share in lines) * 1.3
    baseline = (height + total) / 2
    for text, share in lines:
        font_size = height * share
        # Long names shrink instead of overflowing the frame.
        font_size = min(font_size, (width - 8) / max(pdfmetrics.stringWidth(text, font, 1), 1))
        baseline -= font_size * 1.3
        canvas.setFont(font, font_size)
        canvas.drawCentredString(width / 2, baseline + font_size * 0.3, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


class _ImportedAppearance(content.PdfContent):
    """The first page of an in-memory PDF as a form XObject (ImportedPdfPage needs a file)."""

    def __init__(self, pdf: bytes):
        """Keep the PDF; it is imported when pyHanko renders the stamp."""
        super().__init__()
        self.pdf = pdf

    def render(self) -> bytes:
        """Import the page and draw it."""
        xobject = self._ensure_writer.import_page_as_xobject(PdfFileReader(BytesIO(self.pdf)))
        self.resources.xobject["/Appearance"] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return b"/Appearance Do"
