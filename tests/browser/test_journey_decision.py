"""Journey 2 in a real browser: application, supplement, checklist, signature with the USB key.

The applicant works at a desktop, the approver reviews on the phone-sized mobile terminal and
signs with the USB key at the PC; every page of the journey is also opened at the other width
and in both languages. The approver signs
through the real signing agent (zhangdian-signer) in front of a SoftHSM2 token, driven by the
decision page's own JavaScript.
"""

from asn1crypto import x509 as asn1_x509
from concurrent.futures import ThreadPoolExecutor
from cryptography.hazmat.primitives.serialization import Encoding
from PIL import Image
from plone import api
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen import canvas
from tests.helpers.approval import RSA_TOKEN
from tests.helpers.approval import bind
from tests.helpers.approval import configure_signing
from tests.helpers.approval import social_credit_code
from tests.helpers.journey_text import text
from zhangdian.approval.settings import set_signing_setting

import asyncio
import base64
import io
import pytest
import re
import transaction


APPLICANT_NAME = "淄博市张店区示例商贸有限公司"
NOTICE = "营业执照复印件缺失，请补交加盖公章的复印件。"


@pytest.fixture
def signing_ready(functional_portal, functional_granted, tokens, agent, smtp):
    """approver1's token certificate bound; the decision page talks to the test agent."""
    configure_signing(tokens)
    bind(functional_granted, tokens.certs[RSA_TOKEN])
    set_signing_setting("agent_url", agent)
    with api.env.adopt_roles(["Manager"]):
        api.user.get(userid="member").setMemberProperties({"email": "member@example.org"})
    transaction.commit()
    return tokens


def state_badge(page):
    """The state badge of the application page."""
    return page.locator(".zd-application-state .badge").first.inner_text().strip()


def press(page, name):
    """Press the button called `name` and wait for the page that follows."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def upload(page, language, material, filename, data, mime_type="application/pdf"):
    """Hand in one file for one line of the materials table, from the application page."""
    application_url = page.url
    page.get_by_role("link", name=text("action_add_material", language)).click()
    page.get_by_label(text("label_submitted_material", language)).select_option(label=material)
    field = page.locator(".field").filter(has_text=text("label_submitted_file", language))
    field.locator("input[type=file]").set_input_files(
        files=[{"name": filename, "mimeType": mime_type, "buffer": data}]
    )
    press(page, text("Save", language, domain="plone"))
    page.goto(application_url)
    assert filename in page.locator(".zd-review").inner_text()


def pdf_document(line):
    """A real one-page PDF, as a scanner makes it."""
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, line)
    page.save()
    return out.getvalue()


def licence_photo():
    """A phone photo of the business licence (a small PNG)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(out, "PNG")
    return out.getvalue()


def test_application_to_signed_decision(visitor, signing_ready, functional_portal, smtp, tmp_path):
    base = functional_portal.absolute_url()
    applicant = visitor("member")
    approver = visitor("approver1")
    public = visitor()

    # 1. The applicant submits the application form, then hands in a file.
    page = applicant.page("desktop", "zh-CN")
    page.goto(f"{base}/applications")
    page.get_by_role("link", name=text("action_submit_application", "zh-CN")).click()
    page.get_by_label(text("label_application_matter", "zh-CN")).fill("XK-T-001")
    page.get_by_label(text("label_applicant_name", "zh-CN")).fill(APPLICANT_NAME)
    page.get_by_label(text("label_applicant_identifier", "zh-CN")).fill(social_credit_code())
    page.get_by_label(text("label_contact_person", "zh-CN")).fill("王经理")
    page.get_by_label(text("label_contact_phone", "zh-CN")).fill("0533-2180000")
    press(page, text("Save", "zh-CN", domain="plone"))
    # The matter's required materials are upload slots: the form asks for 申请书 at its slot,
    # keeping what was typed.
    slot = page.get_by_label("申请书", exact=False).first
    slot.set_input_files(
        files=[
            {
                "name": "申请书.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_document("Application form"),
            }
        ]
    )
    press(page, text("Save", "zh-CN", domain="plone"))
    heading = page.locator("h1").inner_text()
    number = re.search(r"ZD-\d{4}-\d{6}", heading).group(0)
    assert state_badge(page) == text("Submitted", "zh-CN", domain="plone")
    application_url = page.url.split("?")[0].removesuffix("/view")
    code = page.locator("p:has(code) code").first.inner_text().strip()

    def submitted(page, language):
        assert number in page.locator("h1").inner_text()
        assert state_badge(page) == text("Submitted", language, domain="plone")
        assert page.locator(".zd-review iframe.zd-preview-pdf").count() == 1
        assert code in page.locator("#content").inner_text()

    applicant.tour(application_url, "submitted", submitted)

    def listing(page, language):
        assert page.get_by_role("link", name=number).is_visible()
        assert page.get_by_role("link", name=text("action_submit_application", language)).count()

    applicant.tour(f"{base}/applications", "my-applications", listing)

    # 2. The approver finds it in the queue and accepts it.
    def queue(page, language):
        assert page.locator("h1").inner_text().strip() == text("heading_approval_queue", language)
        assert page.get_by_role("link", name=number).is_visible()

    approver.tour(f"{base}/@@approval-queue", "queue", queue)
    page = approver.page("phone", "zh-CN")
    page.goto(f"{base}/@@approval-queue")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(f"{application_url}**")
    press(page, text("Accept", "zh-CN", domain="plone"))
    assert state_badge(page) == text("Accepted", "zh-CN", domain="plone")

    # 3. The one-time notice of missing materials.
    page.locator("form:has(textarea[name=comment])").get_by_label(
        text("label_transition_text", "zh-CN")
    ).fill(NOTICE)
    press(page, text("Request supplement", "zh-CN", domain="plone"))
    assert state_badge(page) == text("Awaiting supplement", "zh-CN", domain="plone"), page.locator(
        "#global_statusmessage"
    ).inner_text()
    assert NOTICE in page.locator(".zd-supplement-notices").inner_text()

    def awaiting(page, language):
        assert state_badge(page) == text("Awaiting supplement", language, domain="plone")
        notices = page.locator(".zd-supplement-notices")
        assert text("heading_supplement_notices", language) in notices.inner_text()
        assert NOTICE in notices.inner_text()
        assert page.get_by_role("button", name=text("Resubmit", language, domain="plone"))

    applicant.tour(application_url, "supplement-notice", awaiting)

    # 4. The applicant hands in the missing file and resubmits.
    page = applicant.page("desktop", "zh-CN")
    page.goto(application_url)
    upload(page, "zh-CN", "营业执照", "营业执照.png", licence_photo(), "image/png")
    press(page, text("Resubmit", "zh-CN", domain="plone"))
    assert state_badge(page) == text("Accepted", "zh-CN", domain="plone")

    # 5. The approver reviews each file beside its checklist line and ticks it on the same page.
    page = approver.page("phone", "zh-CN")
    page.goto(application_url)
    review = page.locator("#zd-checklist")
    problems = review.locator(".text-danger li")
    assert problems.count() > 0
    form_line = review.locator(".zd-material").filter(has=page.locator('input[value="申请书"]'))
    assert form_line.locator("iframe.zd-preview-pdf").is_visible()
    licence_line = review.locator(".zd-material").filter(
        has=page.locator('input[value="营业执照"]')
    )
    photo = licence_line.locator("img.zd-preview-image")
    assert photo.is_visible()
    assert photo.evaluate("image => image.complete && image.naturalWidth") == 64
    matter_link = page.locator("a.zd-matter-link")
    assert matter_link.get_attribute("href").endswith("/matters/jmss/xk-t-001")
    for material in ("申请书", "营业执照"):
        review.get_by_label(material, exact=True).check()
    review.locator("#check-legal-basis").check()
    review.locator("#check-conditions").check()
    with page.expect_navigation():
        page.locator("#zd-save-checklist").click()
    assert problems.count() == 0
    assert review.locator("#check-conditions").is_checked()

    def ready(page, language):
        decision = page.locator("#zd-decision")
        assert decision.locator("h2").inner_text().strip() == text("heading_decision", language)
        # The USB key needs the signing helper on a PC: a phone is told so instead.
        on_phone = page.zd_width == "phone"
        agent_button = decision.get_by_role("button", name=text("action_sign_with_agent", language))
        assert agent_button.is_visible() is not on_phone
        assert decision.locator(".zd-phone-note").is_visible() is on_phone

    approver.tour(application_url, "decide", ready)

    # 6. At the PC: approve and sign with the USB key through the agent (PIN answered by it).
    page = approver.page("desktop", "zh-CN")
    page.goto(application_url)
    decision = page.locator("#zd-decision")
    decision.get_by_label("准予行政许可决定书").check()
    with page.expect_navigation(timeout=60_000):
        decision.get_by_role("button", name=text("action_sign_with_agent", "zh-CN")).click()
    assert state_badge(page) == text("Approved", "zh-CN", domain="plone")
    assert page.locator("#zd-decision").count() == 0
    assert "CN=李明" in page.locator(".zd-signature").inner_text()

    def signed(page, language):
        assert state_badge(page) == text("Approved", language, domain="plone")
        assert text("heading_signature", language) in page.locator("h2").all_inner_texts()
        assert page.get_by_role("link", name=text("link_download_decision", language)).count()

    approver.tour(application_url, "signed", signed)
    applicant.tour(application_url, "decided", signed)

    # 7. The applicant downloads the signed decision: a PDF whose signature verifies.
    page = applicant.page("desktop", "zh-CN")
    page.goto(application_url)
    with page.expect_download() as download:
        page.get_by_role("link", name=text("link_download_decision", "zh-CN")).click()
    path = tmp_path / "decision.pdf"
    download.value.save_as(path)
    pdf = path.read_bytes()
    assert pdf.startswith(b"%PDF-")
    reader = PdfFileReader(io.BytesIO(pdf))
    anchor = asn1_x509.Certificate.load(signing_ready.ca_cert.public_bytes(Encoding.DER))
    validation = async_validate_pdf_signature(
        reader.embedded_signatures[0], ValidationContext(trust_roots=[anchor])
    )
    # Playwright's sync API runs an event loop in this thread: validate in another one.
    with ThreadPoolExecutor(1) as pool:
        status = pool.submit(asyncio.run, validation).result()
    assert status.bottom_line and status.intact and status.valid

    # 8. The public: the status page offers the decision, and @verify says it is valid.
    def looked_up(page, language):
        assert page.locator(".zd-status-state").inner_text().strip() == text(
            "Approved", language, domain="plone"
        )
        assert page.get_by_role("link", name=text("link_download_decision", language)).count()

    public.tour(f"{base}/@@application-status?number={number}&code={code}", "status", looked_up)
    anonymous = public.page("phone", "zh-CN").request
    report = anonymous.post(
        f"{base}/@verify",
        data={"file": base64.b64encode(pdf).decode()},
        headers={"Accept": "application/json"},
    ).json()
    assert report["ok"] is True, report
    assert report["record"]["number"] == number
    assert report["signer"]["subject"].startswith("CN=李明")
    by_code = anonymous.get(
        f"{base}/@verify",
        params={"number": number, "code": code},
        headers={"Accept": "application/json"},
    ).json()
    assert by_code["ok"] is True

    # The applicant was told at each step, and the database says the same.
    assert len(smtp.messages) >= 3
    transaction.begin()
    application = functional_portal["applications"][application_url.rsplit("/", 1)[1]]
    assert api.content.get_state(application) == "approved"
    assert application.decision_document.data == pdf
