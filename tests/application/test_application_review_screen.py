"""The review screen of a case: materials previewed beside their checklist line, ticked in place."""

from io import BytesIO
from PIL import Image
from plone.dexterity.utils import createContentInContainer
from plone.namedfile.file import NamedBlobFile
from reportlab.pdfgen import canvas
from tests.application.test_application_decision import html_session
from tests.helpers.approval import PASSWORD
from urllib.parse import urlsplit

import pytest
import re
import requests
import transaction


def pdf_bytes():
    """A one-page PDF as an applicant scans it."""
    out = BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Application form")
    page.save()
    return out.getvalue()


def png_bytes():
    """A small photo of a licence."""
    out = BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def hand_in(application, material, filename, data, content_type):
    """A file the applicant handed in for line `material`."""
    # Handed in before acceptance, as the applicant does; the accepted case takes no more.
    return createContentInContainer(
        application,
        "SubmittedMaterial",
        checkConstraints=False,
        title=filename,
        material=material,
        file=NamedBlobFile(data=data, filename=filename, contentType=content_type),
    )


@pytest.fixture
def case(accepted, functional_portal):
    """The accepted case with a PDF application form, a PNG licence and a Word file."""
    transaction.begin()  # the case was made by the server's thread
    application = functional_portal.unrestrictedTraverse(urlsplit(accepted).path)
    hand_in(application, "申请书", "申请书.pdf", pdf_bytes(), "application/pdf")
    hand_in(application, "营业执照", "营业执照.png", png_bytes(), "image/png")
    hand_in(application, "营业执照", "说明.docx", b"PK\x03\x04docx", "application/msword")
    transaction.commit()
    return application


def token_of(html):
    """The CSRF token of the page's forms."""
    return re.search(r'name="_authenticator"[^>]*value="(\w+)"', html).group(1)


def test_files_beside_their_lines(case):
    """PDF in a frame, image inline, other types a download link, each under its line."""
    page = html_session("approver1").get(case.absolute_url())
    assert page.status_code == 200
    html = page.text
    matter = case.matter_object()
    assert f'href="{matter.absolute_url()}"' in html
    cards = html.split('class="zd-material card')[1:]
    form_card = next(card for card in cards if 'value="申请书"' in card)
    licence_card = next(card for card in cards if 'value="营业执照"' in card)
    assert re.search(r'<iframe[^>]+src="[^"]+/@@display-file/file"', form_card)
    assert "<img" not in form_card
    assert re.search(r'<img[^>]+src="[^"]+/@@display-file/file"', licence_card)
    assert "说明.docx" in licence_card and licence_card.count("@@display-file") == 1
    assert f'action="{case.absolute_url()}/@@review-checklist"' in html
    # The frame gets the PDF to show, not to download.
    frame = re.search(r'<iframe[^>]+src="([^"]+)"', form_card).group(1)
    shown = html_session("approver1").get(frame)
    assert shown.headers["Content-Type"].startswith("application/pdf")
    assert "attachment" not in shown.headers.get("Content-Disposition", "")


def test_ticks_on_the_same_page(case):
    """The accepting approver saves the ticks; what is not ticked blocks the decision."""
    session = html_session("approver1")
    html = session.get(case.absolute_url()).text
    saved = session.post(
        f"{case.absolute_url()}/@@review-checklist",
        data={
            "checked_materials:list": ["申请书", "不存在的材料"],
            "legal_basis_confirmed": "1",
            "_authenticator": token_of(html),
        },
    )
    assert saved.status_code == 200
    transaction.begin()
    assert case.checked_materials == ["申请书"]
    assert case.legal_basis_confirmed is True
    assert case.conditions_confirmed is False
    assert 'id="check-conditions"' in saved.text
    assert "zd-review" in saved.text and "text-danger" in saved.text


@pytest.mark.parametrize("userid", ["member", "workgroup", "auditor", "siteadmin"])
def test_nobody_else_ticks(case, userid):
    """Applicant, working group, auditor and site administrator change nothing."""
    transaction.begin()
    before = (list(case.checked_materials), case.conditions_confirmed)
    session = requests.Session()
    session.auth = (userid, PASSWORD)
    session.headers["Accept-Language"] = "en"
    page = session.get(case.absolute_url())
    token = token_of(page.text) if page.status_code == 200 and "_authenticator" in page.text else ""
    answer = session.post(
        f"{case.absolute_url()}/@@review-checklist",
        data={"checked_materials:list": [], "_authenticator": token},
        allow_redirects=False,
    )
    assert answer.status_code in (302, 303, 401, 403)
    transaction.begin()
    assert (list(case.checked_materials), case.conditions_confirmed) == before


def test_without_csrf_token_refused(case):
    """A forged post is refused."""
    answer = html_session("approver1").post(
        f"{case.absolute_url()}/@@review-checklist", data={"checked_materials:list": []}
    )
    assert answer.status_code == 403
    transaction.begin()
    assert case.checked_materials == ["申请书", "营业执照"]
