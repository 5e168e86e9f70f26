"""在线申报 in a real browser: home → matter list → search → matter → 在线申报 → upload → number.

A member applies by clicking only; a wrong file is refused at its slot with what was typed
kept, then the right one is accepted and the number and query code are shown.
"""

from plone import api
from tests.helpers.approval import social_credit_code
from tests.helpers.journey_text import text

import pytest
import transaction


PDF = b"%PDF-1.4\n% application form\n"


@pytest.fixture
def files(tmp_path):
    """A PDF for the application form and a text file that is no material."""
    good, bad = tmp_path / "申请书.pdf", tmp_path / "notes.txt"
    good.write_bytes(PDF)
    bad.write_text("not a scan")
    return good, bad


@pytest.mark.parametrize(("width", "language"), [("desktop", "zh-CN"), ("phone", "en")])
def test_member_applies_from_the_matter_page(
    visitor, functional_matter_list, functional_portal, files, width, language
):
    """Every step by clicking; the stored application has the uploaded file as its material."""
    good, bad = files
    person = visitor("member")
    page = person.page(width, language)
    page.goto(person.base)
    page.locator("#task-matters").click()
    page.wait_for_url("**/matters**")
    search = page.locator("#content").get_by_label(text("label_search_matters", language))
    search.fill("食品")
    page.locator("#content").get_by_role(
        "button", name=text("button_search", language), exact=True
    ).click()
    page.wait_for_url("**q=*")
    page.get_by_role("link", name="食品经营许可（新办）").click()
    page.wait_for_url("**/xk-t-001**")
    person.shot(page, "matter")
    page.locator("#matter-apply").click()
    page.wait_for_url("**++add++Application?matter=XK-T-001")
    assert "食品经营许可（新办）" in page.locator("h1").inner_text()
    # No code to type: the matter travels hidden.
    assert page.locator("#form-widgets-matter").get_attribute("type") == "hidden"
    assert page.get_by_label("申请书").get_attribute("type") == "file"
    assert page.get_by_label("营业执照").get_attribute("type") == "file"
    person.shot(page, "form")

    page.locator("#form-widgets-applicant_name").fill("淄博市张店区示例食品店")
    page.locator("#form-widgets-applicant_identifier").fill(social_credit_code())
    page.locator("#form-widgets-contact_person").fill("王经理")
    page.locator("#form-widgets-contact_phone").fill("0533-2180000")
    page.get_by_label("申请书").set_input_files(str(bad))
    page.locator("#form-buttons-save").click()
    page.wait_for_load_state()
    slot = page.locator("#formfield-form-widgets-material_0")
    assert "PDF" in slot.locator(".invalid-feedback").inner_text()
    assert page.locator("#form-widgets-applicant_name").input_value() == "淄博市张店区示例食品店"
    person.shot(page, "wrong-file")

    page.get_by_label("申请书").set_input_files(str(good))
    page.locator("#form-buttons-save").click()
    page.wait_for_url("**/zd-*/view")
    transaction.begin()
    (brain,) = api.content.find(portal_type="Application", unrestricted=True)
    application = brain._unrestrictedGetObject()
    assert application.number in page.locator("h1").inner_text()
    assert application.query_code in page.locator("#content").inner_text()
    ((material,),) = [application.objectValues()]
    assert (material.material, material.file.data) == ("申请书", PDF)
    person.shot(page, "submitted")
