"""A refused state change in the Classic UI shows its reason and stores nothing."""

from plone import api
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import make_authorization

import re
import requests
import transaction


def test_refused_proposal_shows_reason(functional_matter_list, functional_portal):
    """Proposing without a passed exam redirects back with the reason; the state stays."""
    authorization = make_authorization(
        functional_portal["approvers"],
        "approver2",
        "2026-01-01",
        "2026-12-31",
        ["jmss"],
        exam_score=40,
    )
    transaction.commit()
    session = requests.Session()
    session.auth = ("workgroup", PASSWORD)
    session.headers["Accept-Language"] = "en"
    page = session.get(authorization.absolute_url(), timeout=30).text
    token = re.search(r'name="_authenticator"[^>]*value="(\w+)"', page) or re.search(
        r'data-token="(\w+)"', page
    )
    response = session.post(
        f"{authorization.absolute_url()}/content_status_modify",
        data={"workflow_action": "propose", "_authenticator": token.group(1)},
        timeout=30,
    )
    assert response.status_code == 200
    assert "no passed qualification exam on record" in response.text
    transaction.begin()
    assert api.content.get_state(authorization) == "pending"
    assert authorization.EffectiveDate() == "None"
