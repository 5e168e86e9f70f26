"""@my-authorizations and @authorization-check over HTTP."""

import pytest
import time_machine


@pytest.fixture
def approver_session(functional_granted, user_request):
    """A REST session of approver1, who holds an active 经贸商事 authorisation for 2026."""
    return user_request("approver1"), functional_granted


class TestAuthorizationCheck:
    """@authorization-check answers for the current user, with the reason."""

    @pytest.mark.parametrize(
        "day,code,allowed,reason",
        [
            ("2026-06-01", "XK-T-001", True, "allowed"),
            ("2026-06-01", "XK-T-101", False, "out_of_scope"),
            ("2027-01-01", "XK-T-001", False, "expired"),
        ],
    )
    def test_verdicts(self, approver_session, day, code, allowed, reason):
        """In scope, out of scope, and the day after the period."""
        session, _authorization = approver_session
        with time_machine.travel(f"{day} 12:00 +0800", tick=False):
            response = session.get("@authorization-check", params={"matter": code})
        assert response.status_code == 200, response.text
        data = response.json()
        assert (data["allowed"], data["reason"]) == (allowed, reason)
        assert data["message"]

    def test_unknown_matter(self, approver_session):
        """An unknown code is a 404 with a JSON message."""
        session, _authorization = approver_session
        response = session.get("@authorization-check", params={"matter": "NOPE-000"})
        assert response.status_code == 404
        assert response.json()["type"] == "NotFound"

    def test_missing_parameter(self, approver_session):
        """No matter named is a 400."""
        session, _authorization = approver_session
        response = session.get("@authorization-check")
        assert response.status_code == 400
        assert response.json()["type"] == "BadRequest"

    def test_anonymous_refused(self, approver_session, user_request):
        """Anonymous gets 401."""
        response = user_request(None).get("@authorization-check", params={"matter": "XK-T-001"})
        assert response.status_code == 401


class TestMyAuthorizations:
    """@my-authorizations lists the user's own periods only."""

    def test_own_only(self, approver_session, user_request):
        """approver1 sees one active period; another member sees none."""
        session, _authorization = approver_session
        with time_machine.travel("2026-06-01 12:00 +0800", tick=False):
            data = session.get("@my-authorizations").json()
        assert data["items_total"] == 1
        item = data["items"][0]
        assert (item["review_state"], item["current"], item["scope_categories"]) == (
            "active",
            True,
            ["jmss"],
        )
        assert user_request("member").get("@my-authorizations").json()["items_total"] == 0

    def test_anonymous_refused(self, approver_session, user_request):
        """Anonymous gets 401."""
        assert user_request(None).get("@my-authorizations").status_code == 401
