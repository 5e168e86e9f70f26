"""Fixtures of the bad-input suite: an accepted application and a spot check with a sample."""

from approval_testing import RSA_TOKEN
from approval_testing import act
from approval_testing import application_data
from approval_testing import bind
from approval_testing import complete_checklist
from approval_testing import configure_signing
from approval_testing import decide
from approval_testing import register_application_as
from plone import api
from plone.app.testing import login
from plone.app.testing import logout

import pytest
import transaction


# The review checklist of XK-T-001, complete (as tests/application/test_application_decision.py).
CHECKLIST = {
    "checked_materials": ["m0", "m1"],
    "legal_basis_confirmed": True,
    "conditions_confirmed": True,
}


@pytest.fixture
def accepted(functional_portal, functional_granted, tokens, user_request, smtp, clock):
    """An application by `member`, accepted by approver1 on 2026-03-02, checklist complete.

    approver1's SoftHSM token certificate is bound and the server may use the token
    (copied from tests/application/test_application_decision.py).
    """
    clock("2026-03-02")
    with api.env.adopt_roles(["Manager"]):
        api.user.get(userid="member").setMemberProperties({"email": "member@example.org"})
    configure_signing(tokens)
    bind(functional_granted, tokens.certs[RSA_TOKEN])
    transaction.commit()
    response = user_request("member").post(
        f"{functional_portal.absolute_url()}/applications",
        json={"@type": "Application", **application_data()},
    )
    assert response.status_code == 201, response.text
    url = response.json()["@id"]
    approver = user_request("approver1")
    assert approver.post(f"{url}/@workflow/accept").status_code == 200
    assert approver.patch(url, json=CHECKLIST).status_code == 204
    return url


@pytest.fixture
def spot_check(functional_portal, functional_granted, tokens, clock):
    """A 2026-Q1 spot check whose sample holds one case approver1 approved; its URL and number."""
    clock("2026-03-02")
    configure_signing(tokens)
    bind(functional_granted, tokens.certs[RSA_TOKEN])
    application = register_application_as(functional_portal, "member", "XK-T-001")
    act(functional_portal, application, "accept", "approver1")
    complete_checklist(application)
    decide(functional_portal, application, "approve", "approver1")
    clock("2026-04-02")
    login(functional_portal, "workgroup")
    try:
        check = api.content.create(
            container=functional_portal["approvers"],
            type="SpotCheck",
            title="Q1",
            quarter="2026-Q1",
            share=1.0,
            seed="bad-input",
        )
    finally:
        logout()
    transaction.commit()
    assert application.number in [n for numbers in check.sample.values() for n in numbers]
    return check.absolute_url(), application.number
