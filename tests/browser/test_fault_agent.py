"""Faults at the approver's PC, in the browser: the signing agent is not running."""

from tests.helpers.approval import RSA_TOKEN
from tests.helpers.approval import bind
from tests.helpers.approval import configure_signing
from tests.helpers.approval import submitted_and_accepted
from tests.helpers.journey_text import text
from zhangdian.approval.settings import set_signing_setting

import pytest
import socket
import transaction


@pytest.fixture
def accepted_without_agent(functional_portal, functional_granted, tokens, user_request, smtp):
    """An application accepted by approver1, checklist complete; no agent listens where the
    decision page looks for it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    configure_signing(tokens)
    bind(functional_granted, tokens.certs[RSA_TOKEN])
    set_signing_setting("agent_url", f"http://127.0.0.1:{closed}")
    transaction.commit()
    return submitted_and_accepted(functional_portal, user_request)


# A phone is not offered the USB key (it needs the helper on a PC): the fault is a PC's.
@pytest.mark.parametrize(("width", "language"), [("desktop", "zh-CN"), ("desktop", "en")])
def test_agent_not_running_is_said_and_nothing_is_decided(
    visitor, accepted_without_agent, user_request, width, language
):
    approver = visitor("approver1")
    page = approver.page(width, language)
    page.goto(accepted_without_agent)
    decision = page.locator("#zd-decision")
    decision.locator("input[type=radio]").first.check()
    decision.get_by_role("button", name=text("action_sign_with_agent", language)).click()
    status = page.get_by_text(text("msg_sign_no_agent", language))
    status.wait_for(timeout=30_000)
    assert status.is_visible()
    approver.shot(page, f"no-agent-{width}")
    answer = user_request("approver1").get(accepted_without_agent).json()
    assert answer["review_state"] == "accepted"
