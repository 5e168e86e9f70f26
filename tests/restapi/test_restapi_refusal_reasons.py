"""A refused approver learns why over REST (403 + may_act's reason); nobody else learns more."""

from plone import api
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import application_data
from tests.helpers.approval import grant
from tests.helpers.approval import make_authorization
from tests.helpers.approval import transition
from zhangdian.approval.audit.journal import journal

import pytest
import transaction


@pytest.fixture
def rest(functional_portal, functional_granted, clock):
    """On 2026-06-01: approver1 and approver4 (经贸商事), approver2 (社会事务); one application."""
    clock("2026-06-01")
    portal = functional_portal
    for userid, categories in (("approver2", ["shsw"]), ("approver4", ["jmss"])):
        with api.env.adopt_roles(["Manager"]):
            api.user.create(username=userid, email=f"{userid}@example.org", password=PASSWORD)
        authorization = make_authorization(
            portal["approvers"], userid, "2026-01-01", "2026-12-31", categories
        )
        grant(portal, authorization)
    transaction.commit()
    return portal


@pytest.fixture
def application_url(rest, user_request):
    """An application for 经贸商事 submitted by `member`."""
    response = user_request("member").post(
        f"{rest.absolute_url()}/applications",
        json={"@type": "Application", **application_data()},
    )
    assert response.status_code == 201, response.text
    return response.json()["@id"]


def stored(portal, url):
    """The application's state, who accepted it and the journal's length."""
    transaction.begin()
    application = portal["applications"][url.rstrip("/").rsplit("/", 1)[-1]]
    with api.env.adopt_roles(["Manager"]):
        return api.content.get_state(application), application.accepted_by, journal().length


def assert_refused_with(response, reason):
    """A 403 whose body names `reason` with a message."""
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["type"] == reason
    assert body["message"]


ROUTES = ("@workflow/accept", "@workflow/approve", "@sign-prepare")


class TestApproverLearnsWhy:
    @pytest.mark.parametrize("route", ROUTES)
    def test_out_of_scope(self, rest, user_request, application_url, route):
        before = stored(rest, application_url)
        response = user_request("approver2").post(f"{application_url}/{route}", json={})
        assert_refused_with(response, "out_of_scope")
        assert stored(rest, application_url) == before

    def test_expired(self, rest, user_request, application_url, clock):
        before = stored(rest, application_url)
        clock("2027-01-01")
        response = user_request("approver1").post(f"{application_url}/@workflow/accept")
        assert_refused_with(response, "expired")
        assert stored(rest, application_url) == before

    @pytest.mark.parametrize("route", ROUTES)
    def test_accepted_by_other(self, rest, user_request, application_url, route):
        response = user_request("approver1").post(f"{application_url}/@workflow/accept")
        assert response.status_code == 200, response.text
        before = stored(rest, application_url)
        response = user_request("approver4").post(f"{application_url}/{route}", json={})
        assert_refused_with(response, "accepted_by_other")
        assert stored(rest, application_url) == before
        assert before[:2] == ("accepted", "approver1")

    def test_suspended(self, rest, user_request, application_url, functional_granted):
        transaction.begin()  # the application was submitted in another transaction
        transition(rest, functional_granted, "suspend")
        transaction.commit()
        before = stored(rest, application_url)
        response = user_request("approver1").post(f"{application_url}/@workflow/accept")
        assert_refused_with(response, "not_active")
        assert stored(rest, application_url) == before

    def test_recused(self, rest, user_request):
        response = user_request("member").post(
            f"{rest.absolute_url()}/applications",
            json={
                "@type": "Application",
                **application_data(contact_email="approver4@example.org"),
            },
        )
        assert response.status_code == 201, response.text
        url = response.json()["@id"]
        before = stored(rest, url)
        response = user_request("approver4").post(f"{url}/@workflow/accept")
        assert_refused_with(response, "recused")
        assert stored(rest, url) == before

    def test_allowed_approver_still_succeeds(self, rest, user_request, application_url):
        response = user_request("approver4").post(f"{application_url}/@workflow/accept")
        assert response.status_code == 200, response.text
        assert stored(rest, application_url)[:2] == ("accepted", "approver4")

    def test_reading_stays_a_bare_refusal(self, rest, user_request, application_url):
        # Only a write asks for the reason: browsing does not probe applications.
        assert user_request("approver2").get(application_url).status_code == 401


class TestOthersLearnNothingMore:
    @pytest.mark.parametrize("userid", [None, "editor", "member2"])
    def test_who_cannot_see_it_keeps_401(self, rest, user_request, application_url, userid):
        if userid == "member2":  # a member who is not the applicant
            with api.env.adopt_roles(["Manager"]):
                api.user.create(username="member2", email="m2@example.org", password=PASSWORD)
            transaction.commit()
        before = stored(rest, application_url)
        response = user_request(userid).post(f"{application_url}/@workflow/accept")
        assert response.status_code == 401, response.text
        assert response.json()["type"] == "Unauthorized"
        assert stored(rest, application_url) == before

    @pytest.mark.parametrize("userid", ["member", "workgroup", "supervisor", "auditor"])
    def test_who_can_see_it_keeps_the_workflow_answer(
        self, rest, user_request, application_url, userid
    ):
        # The applicant and the working group may view it; accept is simply not theirs.
        before = stored(rest, application_url)
        response = user_request(userid).post(f"{application_url}/@workflow/accept")
        assert response.status_code == 400, response.text
        assert response.json()["error"]["type"] == "WorkflowException"
        assert stored(rest, application_url) == before
