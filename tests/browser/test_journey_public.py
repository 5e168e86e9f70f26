"""Journey 1 in a real browser: the public finds a matter, reads it and looks up an application.

Every page at phone width (390×844) and desktop width (1280×900), in zh_CN and in English.
"""

from tests.helpers.approval import register_application_as
from tests.helpers.journey_text import text

import pytest
import transaction


@pytest.fixture
def application(functional_matter_list, functional_portal):
    """An application for 食品经营许可（新办） submitted by `member`, committed."""
    application = register_application_as(functional_portal, "member", "XK-T-001")
    transaction.commit()
    return application


def test_public_finds_a_matter_and_looks_up_an_application(visitor, application, functional_portal):
    """Matter list → search → matter page (materials, SVG flowchart) → status lookup."""
    person = visitor()
    number, code = application.number, application.query_code
    for width, language in person.all():
        page = person.context(width, language)
        # The portal's front page leads to the matter list.
        page.goto(person.base)
        assert page.locator("html").get_attribute("lang").lower().startswith(language[:2])
        page.goto(f"{person.base}/matters")
        content = page.locator("#content")
        search = content.get_by_label(text("label_search_matters", language))
        assert search.is_visible()
        person.shot(page, "matter-list")
        search.fill("食品")
        content.get_by_role("button", name=text("button_search", language), exact=True).click()
        page.wait_for_url("**/matters?*q=*")
        count = page.locator(".zd-count")
        assert count.inner_text().strip() == text("matters_found", language, count=1)
        assert page.get_by_role("link", name="营业执照注销登记").count() == 0
        person.shot(page, "search")
        page.get_by_role("link", name="食品经营许可（新办）").click()
        page.wait_for_url("**/xk-t-001**")
        assert page.locator("h1").inner_text().strip() == "食品经营许可（新办）"
        materials = page.locator("table.zd-materials")
        assert materials.is_visible()
        assert text("label_materials", language) in page.locator("h2").all_inner_texts()
        rows = materials.locator("tbody tr")
        assert rows.count() == 2
        assert "申请书" in rows.nth(0).inner_text()
        assert text("material_required", language) in rows.nth(0).inner_text()
        assert text("material_optional", language) in rows.nth(1).inner_text()
        assert text("heading_flowchart", language) in page.locator("h2").all_inner_texts()
        svg = page.locator(".zd-flowchart-svg svg")
        assert svg.is_visible()
        box = svg.bounding_box()
        assert box["width"] > 100 and box["height"] > 100
        # The flowchart fits the screen: no horizontal scrolling on the phone.
        assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 1
        assert "受理审查决定" in svg.inner_html()
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        person.shot(page, "matter")

        # The status lookup: a wrong code first, then the right one.
        page.goto(f"{person.base}/@@application-status")
        assert page.locator("h1").inner_text().strip() == text(
            "heading_application_status", language
        )
        page.get_by_label(text("label_application_number", language)).fill(number)
        page.get_by_label(text("label_query_code", language)).fill("WRONG234")
        page.get_by_role("button", name=text("button_look_up", language)).click()
        page.wait_for_load_state()
        alert = page.get_by_role("alert").filter(has_text=text("error_status_not_found", language))
        assert alert.is_visible()
        person.shot(page, "status-not-found")
        page.get_by_label(text("label_query_code", language)).fill(code)
        page.get_by_role("button", name=text("button_look_up", language)).click()
        page.wait_for_url("**code=*")
        status = page.locator("dl.zd-status")
        assert number in status.inner_text()
        assert "食品经营许可（新办）" in status.inner_text()
        assert page.locator(".zd-status-state").inner_text().strip() == text(
            "Submitted", language, domain="plone"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        person.shot(page, "status")
