"""The phone as the mobile approval terminal: the review screen at 390×844, and offline."""

from tests.helpers.approval import RSA_TOKEN
from tests.helpers.approval import bind
from tests.helpers.approval import configure_signing
from tests.helpers.approval import submitted_and_accepted
from zhangdian.approval.settings import set_signing_setting

import pytest
import transaction


@pytest.fixture
def case(functional_portal, functional_granted, tokens, user_request, smtp):
    """An accepted case of approver1, checklist complete; agent and server token both offered."""
    configure_signing(tokens)
    bind(functional_granted, tokens.certs[RSA_TOKEN])
    set_signing_setting("agent_url", "http://127.0.0.1:9")
    transaction.commit()
    return submitted_and_accepted(functional_portal, user_request)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_review_screen_on_a_phone(visitor, case, language):
    """No sideways scroll, the decision buttons in reach, the USB key replaced by its reason."""
    approver = visitor("approver1")
    page = approver.page("phone", language)
    page.goto(case)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#edit-zone").count() == 0
    decision = page.locator("#zd-decision")
    decision.scroll_into_view_if_needed()
    assert decision.locator("input[name=transition]").first.is_visible()
    assert decision.locator("#decision-pin").is_visible()
    assert decision.locator("button[type=submit]").is_visible()
    assert not decision.locator(".zd-sign-agent").is_visible()
    assert decision.locator(".zd-phone-note").is_visible()
    approver.shot(page, "review")
    queue = approver.page("phone", language)
    queue.goto(f"{approver.base}/@@approval-queue")
    assert queue.evaluate("document.documentElement.scrollWidth") <= 390
    approver.shot(queue, "desk")
    # At the PC the USB key is offered and the phone's note is not shown.
    desktop = approver.page("desktop", language)
    desktop.goto(case)
    assert desktop.locator("#zd-decision .zd-sign-agent").is_visible()
    assert not desktop.locator("#zd-decision .zd-phone-note").is_visible()


def test_offline_shows_the_offline_page_not_the_case(visitor, case):
    """Once the worker runs, a case page asked for offline is the offline page, never a copy."""
    approver = visitor("approver1")
    page = approver.page("phone", "zh-CN")
    page.goto(case)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.evaluate("Boolean(navigator.serviceWorker.controller)")
    number = page.locator("h1").inner_text()
    page.context.set_offline(True)
    try:
        page.goto(case)
        assert page.locator("#zd-offline").is_visible()
        assert "当前没有网络连接" in page.content()
        assert number.split()[0] not in page.content()
        approver.shot(page, "offline")
    finally:
        page.context.set_offline(False)
