"""What REST GET/POST show beyond plone.restapi's fields: the certificate, number, query code."""

from tests.helpers.approval import RSA_TOKEN
from tests.helpers.approval import application_data
from tests.helpers.approval import bind
from tests.helpers.approval import configure_signing
from zhangdian.approval.content.authorization import CERTIFICATE_FIELDS

import pytest
import transaction


@pytest.fixture
def in_2026(functional_portal, functional_granted, clock):
    """2026-06-01, approver1 granted (no certificate yet)."""
    clock("2026-06-01")
    return functional_granted


class TestAuthorizationCertificate:
    def test_unbound_shows_nulls(self, in_2026, user_request):
        body = user_request("workgroup").get(in_2026.absolute_url()).json()
        assert {name: body[name] for name in CERTIFICATE_FIELDS} == dict.fromkeys(
            CERTIFICATE_FIELDS
        )

    def test_bound_shows_the_certificate(self, in_2026, user_request, tokens):
        transaction.begin()
        configure_signing(tokens)
        bind(in_2026, tokens.certs[RSA_TOKEN])
        transaction.commit()
        response = user_request("workgroup").get(in_2026.absolute_url())
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["certificate_fingerprint"] == in_2026.certificate_fingerprint
        assert body["certificate_subject"] == in_2026.certificate_subject
        assert body["certificate_serial"] == in_2026.certificate_serial
        assert body["certificate_subject"] and body["certificate_fingerprint"]
        assert body["certificate_not_before"] == in_2026.certificate_not_before.isoformat()
        assert body["certificate_not_before"] < body["certificate_not_after"]


class TestApplicationNumberAndCode:
    def test_post_answers_number_and_query_code(self, in_2026, functional_portal, user_request):
        response = user_request("member").post(
            f"{functional_portal.absolute_url()}/applications",
            json={"@type": "Application", **application_data()},
        )
        assert response.status_code == 201, response.text
        body = response.json()
        transaction.begin()
        application = functional_portal["applications"][body["id"]]
        assert body["number"] == application.number == "ZD-2026-000001"
        assert body["query_code"] == application.query_code
        assert user_request("member").get(body["@id"]).json()["query_code"] == body["query_code"]

    def test_query_code_is_the_applicants_only(self, in_2026, functional_portal, user_request):
        url = (
            user_request("member")
            .post(
                f"{functional_portal.absolute_url()}/applications",
                json={"@type": "Application", **application_data()},
            )
            .json()["@id"]
        )
        for userid in ("approver1", "workgroup", "auditor", "supervisor"):
            body = user_request(userid).get(url).json()
            assert body["number"] == "ZD-2026-000001", userid
            assert "query_code" not in body, userid
