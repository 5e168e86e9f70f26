"""Separation of duties over HTTP: REST @workflow, POST and PATCH, and the Classic UI edit form.

Issue 15's insider attacks on the roster, each tried by the roles that could try it, with the
status and reason code it now gets and the stored state (the journal included) unchanged.
"""

from html.parser import HTMLParser
from plone import api
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import application_data
from tests.helpers.approval import make_authorization
from tests.helpers.approval import transition
from tests.reliability.bad_input import fingerprint

import pytest
import re
import requests
import transaction


@pytest.fixture
def roster_site(functional_matter_list, functional_portal, clock):
    """The functional site on 2026-01-02 with a Manager account; returns the portal."""
    clock("2026-01-02")
    with api.env.adopt_roles(["Manager"]):
        api.user.create(username="manager", email="manager@example.org", password=PASSWORD)
    functional_portal.acl_users.portal_role_manager.assignRoleToPrincipal("Manager", "manager")
    transaction.commit()
    return functional_portal


@pytest.fixture
def pending(roster_site):
    """approver1's pending authorisation for 经贸商事 in 2026, committed."""
    authorization = make_authorization(
        roster_site["approvers"], "approver1", "2026-01-01", "2026-12-31", ["jmss"]
    )
    transaction.commit()
    return authorization


@pytest.fixture
def active(roster_site, pending):
    """The same, proposed by workgroup and confirmed by workgroup2."""
    transition(roster_site, pending, "propose", userid="workgroup")
    transition(roster_site, pending, "grant", userid="workgroup2")
    transaction.commit()
    return pending


def refused(response, status, code, portal, before):
    """The answer has this status and reason code, and nothing was stored."""
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["type"] == code, response.text
    assert fingerprint(portal) == before


def state_of(authorization):
    """The review state as committed."""
    transaction.begin()
    return api.content.get_state(authorization)


class TestRestWorkflow:
    """@workflow/propose and @workflow/grant: two different members of the working group."""

    def test_two_members(self, roster_site, pending, user_request):
        """workgroup proposes; workgroup itself is refused the grant; workgroup2 grants."""
        url = pending.absolute_url()
        assert user_request("workgroup").post(f"{url}/@workflow/propose").status_code == 200
        before = fingerprint(roster_site)
        response = user_request("workgroup").post(f"{url}/@workflow/grant")
        refused(response, 403, "same_as_proposer", roster_site, before)
        assert user_request("workgroup2").post(f"{url}/@workflow/grant").status_code == 200
        assert state_of(pending) == "active"
        assert (pending.proposed_by, pending.granted_by) == ("workgroup", "workgroup2")

    @pytest.mark.parametrize(
        "userid,status",
        [("supervisor", 400), ("auditor", 400), ("siteadmin", 401), ("approver1", 401)],
    )
    def test_outsiders_refused(self, roster_site, pending, user_request, userid, status):
        """Nobody outside the working group proposes or confirms (oversight reads: 400)."""
        url = pending.absolute_url()
        before = fingerprint(roster_site)
        response = user_request(userid).post(f"{url}/@workflow/propose")
        assert response.status_code == status, response.text
        assert fingerprint(roster_site) == before
        assert user_request("workgroup").post(f"{url}/@workflow/propose").status_code == 200
        before = fingerprint(roster_site)
        response = user_request(userid).post(f"{url}/@workflow/grant")
        assert response.status_code == status, response.text
        assert fingerprint(roster_site) == before

    def test_grant_from_pending_refused(self, roster_site, pending, user_request):
        """No grant without a proposal, whoever asks (Manager included)."""
        before = fingerprint(roster_site)
        for userid in ("workgroup", "workgroup2", "manager"):
            response = user_request(userid).post(f"{pending.absolute_url()}/@workflow/grant")
            assert response.status_code == 400, response.text
        assert fingerprint(roster_site) == before

    def test_manager_is_a_second_person_but_not_for_own_proposal(
        self, roster_site, pending, user_request
    ):
        """Manager proposes; Manager's own grant is refused; workgroup confirms."""
        url = pending.absolute_url()
        manager = user_request("manager")
        assert manager.post(f"{url}/@workflow/propose").status_code == 200
        before = fingerprint(roster_site)
        refused(
            manager.post(f"{url}/@workflow/grant"), 403, "same_as_proposer", roster_site, before
        )
        assert user_request("workgroup").post(f"{url}/@workflow/grant").status_code == 200

    def test_own_authorization_refused_at_propose_and_grant(self, roster_site, user_request):
        """workgroup's own authorisation (prepared by the Manager)."""
        own = make_authorization(
            roster_site["approvers"], "workgroup", "2026-01-01", "2026-12-31", ["jmss"]
        )
        transaction.commit()
        url = own.absolute_url()
        before = fingerprint(roster_site)
        refused(
            user_request("workgroup").post(f"{url}/@workflow/propose"),
            403,
            "own_authorization",
            roster_site,
            before,
        )
        # Proposed by anybody else it is refused too: a working-group account is not an approver.
        refused(
            user_request("workgroup2").post(f"{url}/@workflow/propose"),
            403,
            "mixed_account",
            roster_site,
            before,
        )

    def test_applicant_refused_as_approver(self, roster_site, user_request):
        """member submitted an application: member's authorisation is not proposed."""
        portal_url = roster_site.absolute_url()
        response = user_request("member").post(
            f"{portal_url}/applications", json={"@type": "Application", **application_data()}
        )
        assert response.status_code == 201, response.text
        transaction.begin()
        authorization = make_authorization(
            roster_site["approvers"], "member", "2026-01-01", "2026-12-31", ["jmss"]
        )
        transaction.commit()
        before = fingerprint(roster_site)
        response = user_request("workgroup").post(
            f"{authorization.absolute_url()}/@workflow/propose"
        )
        refused(response, 403, "approver_is_applicant", roster_site, before)


def new_authorization(approver):
    """The body of POST /approvers for an authorisation of `approver`."""
    return {
        "@type": "ApproverAuthorization",
        "title": f"{approver} 2026",
        "approver": approver,
        "scope_categories": ["jmss"],
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "joined_department": "2020-03-01",
    }


class TestRestCreation:
    """POST /approvers: never for oneself, never for a group."""

    @pytest.mark.parametrize("userid", ["workgroup", "manager"])
    def test_own_refused(self, roster_site, user_request, userid):
        """An authorisation for the account that creates it."""
        before = fingerprint(roster_site)
        response = user_request(userid).post(
            f"{roster_site.absolute_url()}/approvers", json=new_authorization(userid)
        )
        assert response.status_code == 400, response.text
        # The site speaks zh_CN: decide_own_authorization, translated.
        assert "不得为本人账号" in response.json()["message"]
        assert fingerprint(roster_site) == before

    @pytest.mark.parametrize("group", ["AuthenticatedUsers", "Reviewers"])
    def test_group_refused(self, roster_site, user_request, group):
        """A group id as the approver."""
        before = fingerprint(roster_site)
        response = user_request("workgroup").post(
            f"{roster_site.absolute_url()}/approvers", json=new_authorization(group)
        )
        assert response.status_code == 400, response.text
        # decide_not_a_user, translated.
        assert "不能授予用户组" in response.json()["message"]
        assert fingerprint(roster_site) == before

    def test_someone_else_allowed(self, roster_site, user_request):
        """For another user's account the creation is allowed."""
        with api.env.adopt_roles(["Manager"]):
            api.user.create(username="approver2", email="a2@example.org", password=PASSWORD)
        transaction.commit()
        response = user_request("workgroup").post(
            f"{roster_site.absolute_url()}/approvers", json=new_authorization("approver2")
        )
        assert response.status_code == 201, response.text


class TestRestPatch:
    """PATCH: the approver never changes; qualification frozen; scope and term only shrink."""

    @pytest.mark.parametrize("userid", ["workgroup", "workgroup2", "manager"])
    def test_approver_fixed(self, roster_site, pending, user_request, userid):
        """Handing the authorisation to another account, in any state."""
        before = fingerprint(roster_site)
        response = user_request(userid).patch(pending.absolute_url(), json={"approver": "member"})
        refused(response, 403, "approver_fixed", roster_site, before)
        transaction.begin()
        assert pending.approver == "approver1"

    def test_qualification_editable_while_pending(self, roster_site, pending, user_request):
        """Before the proposal the evidence is still corrected."""
        response = user_request("workgroup").patch(pending.absolute_url(), json={"exam_score": 91})
        assert response.status_code == 204, response.text

    @pytest.mark.parametrize(
        "field,value",
        [
            ("exam_score", 10),
            ("joined_department", "2026-01-01"),
            ("last_appraisal", "incompetent"),
            ("training_records", ""),
        ],
    )
    def test_qualification_frozen_when_active(
        self, roster_site, active, user_request, field, value
    ):
        """Editing the evidence away on an active authorisation."""
        before = fingerprint(roster_site)
        response = user_request("workgroup").patch(active.absolute_url(), json={field: value})
        refused(response, 403, "qualification_frozen", roster_site, before)

    @pytest.mark.parametrize(
        "body",
        [{"scope_categories": ["jmss", "shsw"]}, {"scope_matters": ["XK-T-101"]}],
        ids=["category", "matter"],
    )
    @pytest.mark.parametrize("userid", ["workgroup", "manager"])
    def test_widening_refused_when_active(self, roster_site, active, user_request, body, userid):
        """A wider scope needs a new authorisation, proposed and confirmed."""
        before = fingerprint(roster_site)
        response = user_request(userid).patch(active.absolute_url(), json=body)
        refused(response, 403, "widening", roster_site, before)

    def test_longer_term_refused_and_shorter_allowed(self, roster_site, active, user_request):
        """Narrowing is one-person and immediate; lengthening again is refused."""
        session = user_request("workgroup")
        url = active.absolute_url()
        assert session.patch(url, json={"valid_until": "2026-06-30"}).status_code == 204
        before = fingerprint(roster_site)
        refused(
            session.patch(url, json={"valid_until": "2026-12-31"}),
            403,
            "widening",
            roster_site,
            before,
        )
        assert session.patch(url, json={"scope_categories": []}).status_code == 204

    def test_approver_edits_own_authorization_refused(self, roster_site, active, user_request):
        """The approver has no Modify permission on their own authorisation at all."""
        before = fingerprint(roster_site)
        response = user_request("approver1").patch(
            active.absolute_url(), json={"scope_categories": ["jmss", "shsw"]}
        )
        assert response.status_code == 401, response.text
        assert fingerprint(roster_site) == before


class TestRecusalOverRest:
    """An application naming the approver: the approver's accept is refused."""

    def test_accept_refused(self, roster_site, active, user_request):
        portal_url = roster_site.absolute_url()
        response = user_request("member").post(
            f"{portal_url}/applications",
            json={
                "@type": "Application",
                **application_data(contact_email="approver1@example.org"),
            },
        )
        assert response.status_code == 201, response.text
        url = response.json()["@id"]
        before = fingerprint(roster_site)
        response = user_request("approver1").post(f"{url}/@workflow/accept")
        # Recused: no IndependentApprover role; an account holding an authorisation is told
        # why (services/errors.UnauthorizedView asks may_act).
        assert response.status_code == 403, response.text
        assert response.json()["type"] == "recused"
        assert fingerprint(roster_site) == before
        queue = user_request("approver1").get(f"{portal_url}/@approval-queue")
        assert url not in queue.text


class FormFields(HTMLParser):
    """The named fields of the first form whose action ends with `action` (values as sent)."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside, self.fields = action, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("action") or "").endswith(self.action):
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file", "image"):
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside = False


def submit_edit_form(authorization, userid, changes):
    """Load the edit form as `userid`, change some fields, press Save; the answer."""
    session = requests.Session()
    session.auth = (userid, PASSWORD)
    session.headers["Accept-Language"] = "en"
    url = f"{authorization.absolute_url()}/@@edit"
    page = session.get(url, timeout=60)
    assert page.status_code == 200, page.status_code
    parser = FormFields("@@edit")
    parser.feed(page.text)
    # The ordered-select widget's script copies the chosen list into fields of the widget's name.
    named = [(name.removesuffix(".to"), value) for name, value in parser.fields]
    fields = [(name, value) for name, value in named if name not in changes]
    for name, value in changes.items():
        for one in value if isinstance(value, list) else [value]:
            fields.append((name, one))
    fields.append(("form.buttons.save", "Save"))
    return session.post(url, data=fields, timeout=60)


class TestEditForm:
    """The Classic UI edit form asks the same rule and shows its reason."""

    def test_approver_change_refused(self, roster_site, pending):
        before = fingerprint(roster_site)
        response = submit_edit_form(pending, "workgroup", {"form.widgets.approver": "member"})
        assert response.status_code == 200
        assert "The approver of an authorisation never changes" in response.text
        assert fingerprint(roster_site) == before

    def test_qualification_change_refused_when_active(self, roster_site, active):
        before = fingerprint(roster_site)
        response = submit_edit_form(active, "workgroup2", {"form.widgets.exam_score": "10"})
        assert response.status_code == 200
        assert "qualification of an authorisation is frozen" in response.text
        assert fingerprint(roster_site) == before

    def test_widening_refused_and_narrowing_allowed(self, roster_site, active):
        before = fingerprint(roster_site)
        # The same user twice: the refused save leaves the edit lock taken by its form.
        response = submit_edit_form(
            active, "workgroup", {"form.widgets.scope_categories": ["jmss", "shsw"]}
        )
        assert "can only be narrowed" in response.text
        assert fingerprint(roster_site) == before
        response = submit_edit_form(active, "workgroup", {"form.widgets.valid_until": "2026-06-30"})
        assert response.status_code == 200
        transaction.begin()
        assert str(active.valid_until) == "2026-06-30"
        assert active.scope_categories == ["jmss"]


class TestStateChangeForm:
    """Plone's state change form (content_status_modify) shows the four-eyes refusal."""

    def test_proposer_grant_refused_with_reason(self, roster_site, pending):
        transition(roster_site, pending, "propose", userid="workgroup")
        transaction.commit()
        session = requests.Session()
        session.auth = ("workgroup", PASSWORD)
        session.headers["Accept-Language"] = "en"
        url = pending.absolute_url()
        page = session.get(url, timeout=60).text
        token = re.search(r'data-token="(\w+)"', page) or re.search(
            r'name="_authenticator"[^>]*value="(\w+)"', page
        )
        before = fingerprint(roster_site)
        response = session.post(
            f"{url}/content_status_modify",
            data={"workflow_action": "grant", "_authenticator": token.group(1)},
            timeout=60,
        )
        assert response.status_code == 200
        assert "a different member of the working group must confirm it" in response.text
        assert fingerprint(roster_site) == before
        assert state_of(pending) == "proposed"


class TestRosterPagesSaySo:
    """An approver put in the working group later: the authorisation page and dashboard say so."""

    def test_mixed_account_shown(self, roster_site, active, user_request):
        session = requests.Session()
        session.auth = ("workgroup", PASSWORD)
        session.headers["Accept-Language"] = "en"
        page = session.get(active.absolute_url(), timeout=60).text
        assert "This authorisation does not count" not in page
        api.group.add_user(groupname="Site Administrators", username="approver1")
        transaction.commit()
        check = user_request("approver1").get(
            f"{roster_site.absolute_url()}/@authorization-check", params={"matter": "XK-T-001"}
        )
        assert (check.status_code, check.json()["reason"]) == (200, "mixed_account")
        page = session.get(active.absolute_url(), timeout=60).text
        assert "This authorisation does not count" in page
        assert "also holds another business role" in page
        dashboard = session.get(
            f"{roster_site.absolute_url()}/approvers/@@authorization-dashboard", timeout=60
        ).text
        assert "do not count because of the account" in dashboard
