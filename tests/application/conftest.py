"""Applications on the test matter list, with approvers and a movable clock."""

from approval_testing import IN_SCOPE_EC_TOKEN
from approval_testing import PIN
from approval_testing import RSA_TOKEN
from approval_testing import bind
from approval_testing import configure_signing
from approval_testing import make_authorization
from approval_testing import transition
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from zhangdian.approval.applications import register_application
from zhangdian.approval.signatures import sign_with_server_token

import pytest


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def social_credit_code(body="91370303MA3C4K7L1"):
    """A unified social credit code with its check character (GB 32100-2015)."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def application_data(matter="XK-T-001", **overrides):
    """Field values of a complete application by a company."""
    data = {
        "matter": matter,
        "applicant_kind": "company",
        "applicant_name": "淄博市张店区示例商贸有限公司",
        "applicant_identifier": social_credit_code(),
        "contact_person": "王经理",
        "contact_phone": "0533-2180000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def submit(portal, matter_list):
    """Submit an application as `userid` (default the member applicant)."""

    def factory(matter="XK-T-001", userid="member", **overrides):
        login(portal, userid)
        try:
            return register_application(
                portal["applications"], **application_data(matter, **overrides)
            )
        finally:
            logout()

    return factory


@pytest.fixture
def approvers(portal, granted):
    """approver1 (经贸商事, granted), approver2 (社会事务) and approver4 (经贸商事) for 2026."""
    roster = portal["approvers"]
    authorizations = {"approver1": granted}
    for userid, category in (("approver2", "shsw"), ("approver4", "jmss")):
        with api.env.adopt_roles(["Manager"]):
            api.user.create(username=userid, email=f"{userid}@example.org", password="pw-123456")
        authorization = make_authorization(roster, userid, "2026-01-01", "2026-12-31", [category])
        transition(portal, authorization, "grant")
        authorizations[userid] = authorization
    return authorizations


@pytest.fixture
def keys(portal, approvers, tokens):
    """approver1 (RSA) and approver4 (EC) have their token certificates bound; server signing on."""
    configure_signing(tokens)
    for userid in (RSA_TOKEN, IN_SCOPE_EC_TOKEN):
        bind(approvers[userid], tokens.certs[userid])
    return tokens


def decide(portal, application, name, userid, reason="", pin=PIN):
    """Approve or refuse as `userid`, signing with their SoftHSM token on the server."""
    login(portal, userid)
    try:
        return sign_with_server_token(application, name, reason, pin)
    finally:
        logout()


def act(portal, application, name, userid, **kwargs):
    """Fire an application transition as `userid`."""
    transition(portal, application, name, userid=userid, **kwargs)


def complete_checklist(application):
    """Tick every line of the review checklist, as the approver would."""
    matter = application.matter_object()
    application.checked_materials = [row["name"] for row in matter.materials]
    application.legal_basis_confirmed = True
    application.conditions_confirmed = True
