"""Applications over REST: submission rules, scope as 401/403/404, queue and status lookup."""

from plone import api
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import application_data
from tests.helpers.approval import grant
from tests.helpers.approval import make_authorization
from tests.helpers.approval import make_matter_data

import pytest
import transaction


REFUSED = (401, 403, 404)


@pytest.fixture
def rest(functional_portal, functional_granted, clock):
    """REST sessions on 2026-06-01 with approver2 (社会事务) and a regular-process matter."""
    clock("2026-06-01")
    portal = functional_portal
    with api.env.adopt_roles(["Manager"]):
        api.user.create(username="approver2", email="a2@example.org", password=PASSWORD)
    authorization = make_authorization(
        portal["approvers"], "approver2", "2026-01-01", "2026-12-31", ["shsw"]
    )
    grant(portal, authorization)
    with api.env.adopt_roles(["Manager"]):
        data = make_matter_data("XK-T-201", "建设工程规划许可", 20, 20)
        data["independent_approval"] = False
        data["contact_window"] = "政务服务中心三楼联审窗口"
        matter = api.content.create(
            container=portal["matters"]["jmss"], type="Matter", id="xk-t-201", **data
        )
        api.content.transition(obj=matter, transition="publish")
    transaction.commit()
    return portal


def count_applications(portal):
    """How many applications are stored."""
    transaction.begin()
    return len(portal["applications"].objectIds())


def submit(session, portal, **overrides):
    """POST an application as the session's user."""
    return session.post(
        f"{portal.absolute_url()}/applications",
        json={"@type": "Application", **application_data(**overrides)},
    )


class TestSubmission:
    def test_member_submits(self, rest, user_request):
        response = submit(user_request("member"), rest)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["review_state"] == "submitted"
        assert body["@id"].endswith("/applications/zd-2026-000001")

    def test_regular_process_matter_is_refused_naming_the_window(self, rest, user_request):
        before = count_applications(rest)
        response = submit(user_request("member"), rest, matter="XK-T-201")
        assert response.status_code == 400
        assert "政务服务中心三楼联审窗口" in response.json()["message"]
        assert count_applications(rest) == before

    @pytest.mark.parametrize(
        "overrides",
        [
            {"matter": "XK-NOPE-1"},
            {"matter": "XK-T-003"},  # a draft matter
            {"applicant_identifier": "91370303MA3C4K7L1A"},
            {"applicant_kind": "person", "applicant_identifier": "370303199001011234"},
            {"contact_phone": "call me"},
            {"applicant_name": ""},
            {"applicant_name": "x" * 201},
        ],
    )
    def test_bad_input_is_refused_and_nothing_stored(self, rest, user_request, overrides):
        before = count_applications(rest)
        response = submit(user_request("member"), rest, **overrides)
        assert response.status_code == 400, response.text
        assert response.json().get("message")
        assert count_applications(rest) == before

    def test_anonymous_cannot_submit(self, rest, user_request):
        response = submit(user_request(None), rest)
        assert response.status_code in REFUSED


class TestScope:
    def test_out_of_scope_approver_is_refused(self, rest, user_request):
        url = submit(user_request("member"), rest).json()["@id"]
        assert user_request("approver1").get(url).status_code == 200
        assert user_request("approver2").get(url).status_code in REFUSED
        response = user_request("approver2").post(f"{url}/@workflow/accept")
        assert response.status_code in REFUSED
        assert user_request("member").get(url).json()["review_state"] == "submitted"
        response = user_request("approver1").post(f"{url}/@workflow/accept")
        assert response.status_code == 200, response.text
        assert user_request("member").get(url).json()["review_state"] == "accepted"

    def test_day_after_valid_until(self, rest, user_request, clock):
        url = submit(user_request("member"), rest).json()["@id"]
        clock("2027-01-01")
        assert user_request("approver1").get(url).status_code in REFUSED
        response = user_request("approver1").post(f"{url}/@workflow/accept")
        assert response.status_code in REFUSED


class TestQueueAndStatus:
    def test_queue(self, rest, user_request):
        submit(user_request("member"), rest)
        submit(user_request("member"), rest, matter="XK-T-101")
        queue = user_request("approver1").get(f"{rest.absolute_url()}/@approval-queue").json()
        assert queue["authorized"] is True
        assert [item["matter"]["code"] for item in queue["items"]] == ["XK-T-001"]
        other = user_request("approver2").get(f"{rest.absolute_url()}/@approval-queue").json()
        assert [item["matter"]["code"] for item in other["items"]] == ["XK-T-101"]
        member = user_request("member").get(f"{rest.absolute_url()}/@approval-queue").json()
        assert member["authorized"] is False
        assert member["items"] == []

    def test_queue_is_batched_due_first(self, rest, user_request):
        """Three applications in approver1's queue, read one per batch in due order."""
        for _ in range(3):
            submit(user_request("member"), rest)
        url = f"{rest.absolute_url()}/@approval-queue"
        whole = user_request("approver1").get(url).json()
        first = user_request("approver1").get(url, params={"b_size": 1}).json()
        assert first["items_total"] == whole["items_total"] == 3
        assert [item["@id"] for item in first["items"]] == [whole["items"][0]["@id"]]
        assert "b_start=1" in first["batching"]["next"]
        second = user_request("approver1").get(first["batching"]["next"]).json()
        assert [item["@id"] for item in second["items"]] == [whole["items"][1]["@id"]]
        assert "batching" not in whole
        for bad in ({"b_size": -1}, {"b_start": "x"}, {"b_size": 0}):
            response = user_request("approver1").get(url, params=bad)
            assert response.status_code == 400, bad
            assert response.json()["type"] == "BadRequest"

    def test_queue_bad_state_and_anonymous(self, rest, user_request):
        url = f"{rest.absolute_url()}/@approval-queue"
        response = user_request("approver1").get(url, params={"review_state": "approved"})
        assert response.status_code == 400
        assert response.json()["type"] == "BadRequest"
        assert user_request(None).get(url).status_code in REFUSED

    def test_status_lookup(self, rest, user_request):
        url = submit(user_request("member"), rest).json()["@id"]
        transaction.begin()
        application = rest["applications"][url.rsplit("/", 1)[1]]
        number, code = application.number, application.query_code
        lookup = f"{rest.absolute_url()}/@application-status"
        anonymous = user_request(None)
        ok = anonymous.get(lookup, params={"number": number, "code": code.lower()})
        assert ok.status_code == 200
        assert ok.json()["review_state"] == "submitted"
        wrong = anonymous.get(lookup, params={"number": number, "code": "WRONG123"})
        assert wrong.status_code == 404
        assert anonymous.get(lookup, params={"number": number}).status_code == 400
        page = anonymous.get(
            f"{rest.absolute_url()}/@@application-status", params={"number": number, "code": code}
        )
        assert page.status_code == 200
        assert number in page.text
