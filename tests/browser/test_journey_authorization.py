"""Journey 3 in a real browser: the working group renews, binds a certificate and suspends.

`workgroup` (ApprovalAdministrator) renews approver2's authorisation that ends within 30 days
from the dashboard, completes the successor with this year's evidence and a certificate from
the bureau CA, grants it, and suspends approver1 with the page's state buttons (the working
group has no Plone toolbar since issue 18); approver1's
next attempt to accept an application is refused with a clear message.
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from plone import api
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import configure_signing
from tests.helpers.approval import grant
from tests.helpers.approval import make_authorization
from tests.helpers.approval import register_application_as
from tests.helpers.journey_text import text
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.testing.pki import make_signing_certificate
from zhangdian.approval.testing.pki import to_pem

import pytest
import transaction


@pytest.fixture
def roster(functional_portal, functional_granted, tokens):
    """approver1 active for 经贸商事 in 2026 and approver2 for 社会事务 ending in 3 weeks.

    The bureau CA is a trust anchor; an application by `member` waits in approver1's queue.
    """
    configure_signing(tokens)
    with api.env.adopt_roles(["Manager"]):
        api.user.create(username="approver2", email="approver2@example.org", password=PASSWORD)
    today = date.today()
    ending = make_authorization(
        functional_portal["approvers"],
        "approver2",
        (today - timedelta(days=200)).isoformat(),
        (today + timedelta(days=21)).isoformat(),
        ["shsw"],
    )
    grant(functional_portal, ending)
    application = register_application_as(functional_portal, "member", "XK-T-001")
    transaction.commit()
    return {"ending": ending, "suspended": functional_granted, "application": application}


def workflow_menu(page, name):
    """Press the state change `name` among the actions on the page (browser/bureau.py)."""
    with page.expect_navigation():
        page.locator("#zd-object-actions").get_by_role("link", name=name, exact=True).click()


def state_of(page):
    """The state shown among the actions on the page."""
    return page.locator("#zd-object-actions .zd-object-state").text_content()


def test_renew_bind_and_suspend(visitor, roster, functional_portal, tokens, tmp_path):
    base = functional_portal.absolute_url()
    workgroup = visitor("workgroup")
    ending, suspended = roster["ending"], roster["suspended"]
    application_url = roster["application"].absolute_url()

    # approver1 has the application open on the phone, before anything changes.
    approver = visitor("approver1")
    phone = approver.page("phone", "zh-CN")
    phone.goto(application_url)
    accept = phone.get_by_role("button", name=text("Accept", "zh-CN", domain="plone"))
    assert accept.is_visible()

    # 1. The dashboard lists the authorisation ending soon, with its renewal button.
    def dashboard(page, language):
        heading = text("heading_authorization_dashboard", language)
        assert page.locator("h1").inner_text().strip() == heading
        row = page.locator(".zd-expiring tr").filter(has_text="approver2")
        assert row.get_by_role("button", name=text("action_renew_authorization", language))

    workgroup.tour(f"{base}/approvers/@@authorization-dashboard", "dashboard", dashboard)

    # 2. Renew: the successor's edit form opens; the yearly evidence and the certificate.
    page = workgroup.page("desktop", "zh-CN")
    page.goto(f"{base}/approvers/@@authorization-dashboard")
    row = page.locator(".zd-expiring tr").filter(has_text="approver2")
    with page.expect_navigation():
        row.get_by_role("button", name=text("action_renew_authorization", "zh-CN")).click()
    assert (
        text("msg_renewal_prepared_four_eyes", "zh-CN")
        in page.locator("#global_statusmessage").inner_text()
    )
    successor_url = page.url.removesuffix("/edit")
    assert successor_url != ending.absolute_url()
    page.locator(".autotoc-nav").get_by_text(text("fieldset_training", "zh-CN")).click()
    page.get_by_label(text("label_last_appraisal", "zh-CN")).select_option(
        label=text("appraisal_excellent", "zh-CN")
    )
    trained = (date.today() - timedelta(days=30)).isoformat()
    page.get_by_label(text("label_last_training_date", "zh-CN")).fill(trained)
    page.get_by_label(text("label_training_records", "zh-CN")).fill("2026 年岗位培训（40 学时）")
    certificate, _key = make_signing_certificate(
        tokens.ca_cert, tokens.ca_key, "王芳", valid_from=datetime(2026, 1, 1, tzinfo=UTC), days=730
    )
    page.locator(".autotoc-nav").get_by_text(text("fieldset_signing", "zh-CN")).click()
    field = page.locator(".field").filter(has_text=text("label_certificate", "zh-CN"))
    field.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "approver2.pem",
                "mimeType": "application/x-pem-file",
                "buffer": to_pem(certificate),
            }
        ]
    )
    workgroup.shot(page, "renewal-form")
    with page.expect_navigation():
        page.get_by_role("button", name=text("Save", "zh-CN", domain="plone"), exact=True).click()
    assert page.url.rstrip("/") == successor_url
    # A renewal is granted on the year's grade: the staff menu leads to the assessment.
    successor_page = page.url
    page.locator("a[href$='@@annual-assessment']").first.click()
    form = page.locator("#record-grade")
    form.locator("select[name=approver]").select_option(value="approver2")
    form.locator("select[name=grade]").select_option(value="competent")
    with page.expect_navigation():
        form.get_by_role("button", name=text("action_record_grade", "zh-CN")).click()
    assert "称职" in page.locator("#global_statusmessage").inner_text()
    page.goto(successor_page)
    # Four eyes: workgroup proposes through the menu, workgroup2 confirms through its own.
    workflow_menu(page, text("Propose", "zh-CN", domain="plone"))
    page = visitor("workgroup2").page("desktop", "zh-CN")
    page.goto(successor_url)
    workflow_menu(page, text("Grant", "zh-CN", domain="plone"))
    assert text("Active", "zh-CN", domain="plone") in state_of(page)

    def renewed(page, language):
        assert "approver2.pem" in page.locator("#content").inner_text()
        assert text("Active", language, domain="plone") in state_of(page)

    workgroup.tour(successor_url, "renewed", renewed)

    # 3. Suspend approver1 with the state buttons.
    page.goto(suspended.absolute_url())
    workflow_menu(page, text("Suspend", "zh-CN", domain="plone"))

    def suspended_page(page, language):
        assert text("Suspended", language, domain="plone") in state_of(page)

    workgroup.tour(suspended.absolute_url(), "suspended", suspended_page)

    # 4. approver1 presses Accept on the page still open: refused, and told why.
    with phone.expect_navigation():
        accept.click()
    # Refused: the suspended approver lost the role on the application at once. Plone's
    # generic "insufficient privileges" page does not say why (see the report of issue 8).
    assert phone.get_by_role("button", name=text("Accept", "zh-CN", domain="plone")).count() == 0
    assert phone.locator("h1").inner_text().strip() == "无权限"  # Plone's own page
    approver.shot(phone, "accept-refused")

    # The queue says why, in words: no current authorisation.
    def queue(page, language):
        assert text("queue_not_authorized", language) in page.locator("#content").inner_text()
        assert page.get_by_role("link", name=roster["application"].number).count() == 0

    approver.tour(f"{base}/@@approval-queue", "queue-suspended", queue)

    transaction.begin()
    assert api.content.get_state(roster["application"]) == "submitted"
    successor = functional_portal.unrestrictedTraverse(successor_url.removeprefix(base).lstrip("/"))
    assert api.content.get_state(successor) == "active"
    assert successor.certificate_fingerprint == fingerprint(certificate)
    assert api.content.get_state(suspended) == "suspended"
