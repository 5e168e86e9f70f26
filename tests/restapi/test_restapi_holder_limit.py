"""Every public route that takes a number and a query code shares the lookup limit, and
@verify names the trust anchor that validated the decision (JSON and the status page)."""

from tests.helpers.approval import RSA_TOKEN
from tests.helpers.approval import approve_as
from tests.helpers.approval import bind
from tests.helpers.approval import configure_signing
from tests.helpers.approval import register_application_as
from zhangdian.approval.casework.lookup_limit import MAX_FAILURES
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.settings import set_signing_setting
from zhangdian.approval.testing.pki import make_ca
from zhangdian.approval.testing.pki import to_pem

import pytest
import transaction


@pytest.fixture
def held(functional_portal, functional_granted, tokens, clock):
    """(site URL, number, query code, CA certificate) of a decision approver1 signed."""
    clock("2026-03-02")
    configure_signing(tokens)
    # A second anchor that issued nothing here: the one named must be the test CA.
    other, _key = make_ca("另一个局 测试CA")
    set_signing_setting("trust_anchors", (to_pem(other) + to_pem(tokens.ca_cert)).decode())
    bind(functional_granted, tokens.certs[RSA_TOKEN])
    application = register_application_as(functional_portal, "member", "XK-T-001")
    approve_as(functional_portal, application)
    transaction.commit()
    return (
        functional_portal.absolute_url(),
        application.number,
        application.query_code,
        tokens.ca_cert,
    )


ROUTES = {
    "@verify": ("@verify", {"Accept": "application/json"}),
    "@@decision-document": ("@@decision-document", {}),
}


def test_verify_names_the_trust_anchor(held, user_request, clock):
    site, number, code, ca = held
    clock("2026-03-03")
    report = user_request(None).get(f"{site}/@verify", params={"number": number, "code": code})
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["ok"] is True
    assert body["trust_anchor"] == {
        "subject": ca.subject.rfc4514_string(),
        "fingerprint": fingerprint(ca),
    }
    page = user_request(None).get(
        f"{site}/@@application-status",
        params={"number": number, "code": code},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 200
    assert "zd-verify-anchor" in page.text
    assert fingerprint(ca) in page.text


def test_an_untrusted_signature_names_no_anchor(held, functional_portal, user_request, clock):
    site, number, code, _ca = held
    other, _key = make_ca("另一个局 测试CA")
    set_signing_setting("trust_anchors", to_pem(other).decode())
    transaction.commit()
    body = user_request(None).get(f"{site}/@verify", params={"number": number, "code": code})
    assert body.json()["trusted"] is False
    assert body.json()["trust_anchor"] is None
    page = user_request(None).get(
        f"{site}/@@application-status",
        params={"number": number, "code": code},
        headers={"Accept": "text/html"},
    )
    assert "zd-verify-untrusted" in page.text


@pytest.mark.parametrize("route", list(ROUTES))
def test_the_holder_routes_are_limited_until_the_window_passes(held, user_request, clock, route):
    site, number, code, _ca = held
    path, headers = ROUTES[route]
    url = f"{site}/{path}"
    anonymous = user_request(None)
    anonymous.headers.update(headers)
    for minute in range(MAX_FAILURES):
        clock(f"2026-06-01 12:0{minute}:00 +0800")
        assert anonymous.get(url, params={"number": number, "code": code}).status_code == 200
        wrong = anonymous.get(url, params={"number": number, "code": "WRONG123"})
        assert wrong.status_code == 404, (minute, wrong.status_code)
    clock("2026-06-01 12:09:30 +0800")
    refused = anonymous.get(url, params={"number": number, "code": code})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    if route == "@verify":
        assert refused.json()["type"] == "too_many_lookups"
    else:
        assert "%PDF" not in refused.text
    clock("2026-06-01 12:10:00 +0800")
    assert anonymous.get(url, params={"number": number, "code": code}).status_code == 200


def test_one_count_for_every_route(held, user_request, clock):
    """Guesses on one route use up the others: the limit is one choke point per address."""
    site, number, code, _ca = held
    anonymous = user_request(None)
    clock("2026-06-01 12:00:00 +0800")
    routes = ["@verify", "@@decision-document", "@application-status"]
    for attempt in range(MAX_FAILURES):
        route = routes[attempt % len(routes)]
        response = anonymous.get(f"{site}/{route}", params={"number": number, "code": "WRONG123"})
        assert response.status_code in (200, 404), (route, response.status_code)
    for route in routes:
        response = anonymous.get(f"{site}/{route}", params={"number": number, "code": code})
        assert response.status_code == 429, route
