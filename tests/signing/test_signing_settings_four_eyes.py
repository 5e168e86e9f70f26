"""Four eyes on the signing settings: one person proposes, a different one confirms."""

from datetime import UTC
from datetime import datetime
from plone import api
from tests.signing.test_signing_settings import session
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.settings import SIGNING_PREFIX
from zhangdian.approval.settings import UnconfirmedSettingChange
from zhangdian.approval.settings import set_signing_setting
from zhangdian.approval.settings import signing_setting
from zhangdian.approval.settings_changes import pending_proposals
from zhangdian.approval.testing.pki import make_ca
from zhangdian.approval.testing.pki import to_pem
from zhangdian.approval.workdays import CALENDAR_PREFIX
from zope.globalrequest import getRequest

import pytest
import re
import transaction


ENTITLED = ["workgroup", "siteadmin", "admin"]
NOT_ENTITLED = [None, "member", "editor", "auditor", "supervisor"]


@pytest.fixture(scope="module")
def old_ca():
    """The anchor in force before the change."""
    return make_ca("张店区行政审批服务局 旧根CA", valid_from=datetime(2025, 1, 1, tzinfo=UTC))[0]


@pytest.fixture(scope="module")
def new_ca():
    """The anchor a proposal brings in."""
    return make_ca("张店区行政审批服务局 新根CA", valid_from=datetime(2026, 1, 1, tzinfo=UTC))[0]


@pytest.fixture
def site(functional_portal, functional_matter_list, old_ca):
    """The portal's URL, the old anchor in force (set up through the portal's own path)."""
    set_signing_setting("trust_anchors", to_pem(old_ca).decode())
    transaction.commit()
    return functional_portal.absolute_url()


def fresh():
    """A new transaction, and the registry's per-request value cache of this thread dropped.

    plone.registry caches the values read during a request on the request; the test's
    request lives through the whole test, so values the server changed would stay unseen.
    """
    transaction.begin()
    request = getRequest()
    if request is not None:
        request.other.pop("_plone_registry_cache", None)


def stored():
    """What a refusal must leave as it was: settings, pending proposals, journal length."""
    fresh()
    return (
        signing_setting("trust_anchors"),
        signing_setting("timestamp_url"),
        [p["id"] for p in pending_proposals()],
        journal().length,
    )


def propose(site, userid, body):
    """PATCH @signing-settings as `userid`; the response."""
    return session(userid).patch(f"{site}/@signing-settings", json=body, timeout=30)


def confirm(site, userid, proposal_id):
    """POST @signing-proposals as `userid`; the response."""
    return session(userid).post(f"{site}/@signing-proposals", json={"id": proposal_id}, timeout=30)


def last_entries(count):
    """The journal's last `count` entries, oldest first."""
    transaction.begin()
    log = journal()
    return [log.entries[seq] for seq in range(log.length - count + 1, log.length + 1)]


class TestProposal:
    """A proposal is stored and journalled; nothing of it is in force."""

    def test_patch_answers_202_with_the_proposal(self, site, old_ca, new_ca):
        """Proposer, time, old → new values and the anchors' fingerprints; the old anchor stays."""
        before = stored()
        response = propose(site, "workgroup", {"trust_anchors": to_pem(new_ca).decode()})
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["proposer"] == "workgroup"
        assert body["proposed_at"].startswith(str(datetime.now().year))
        assert body["changes"]["trust_anchors"]["before"] == to_pem(old_ca).decode()
        assert body["changes"]["trust_anchors"]["after"] == to_pem(new_ca).decode()
        assert body["anchors"]["trust_anchors"]["added"] == [fingerprint(new_ca)]
        assert body["anchors"]["trust_anchors"]["removed"] == [fingerprint(old_ca)]
        now = stored()
        assert now[:2] == before[:2]
        assert now[2] == [body["id"]]
        [entry] = last_entries(1)
        assert (entry["action"], entry["actor"], entry["target"]) == (
            "settings.proposed",
            "workgroup",
            body["id"],
        )
        assert entry["after"]["changes"]["trust_anchors"] == {
            "before": [fingerprint(old_ca)],
            "after": [fingerprint(new_ca)],
        }
        assert entry["after"]["anchors"]["trust_anchors"]["added"] == [fingerprint(new_ca)]
        listed = session("siteadmin").get(f"{site}/@signing-proposals", timeout=30)
        assert [p["id"] for p in listed.json()["items"]] == [body["id"]]

    def test_nothing_to_change_is_refused(self, site, old_ca):
        """Proposing the values in force: 400, nothing stored."""
        before = stored()
        response = propose(site, "workgroup", {"trust_anchors": to_pem(old_ca).decode()})
        assert response.status_code == 400
        assert response.json()["type"] == "invalid_setting"
        assert stored() == before


class TestConfirmation:
    """Only a different person confirms; then the values are in force and journalled."""

    def test_proposer_cannot_confirm_own(self, site, new_ca):
        """403 setting_change_own_proposal; settings, proposal and journal unchanged."""
        proposal = propose(site, "workgroup", {"trust_anchors": to_pem(new_ca).decode()}).json()
        before = stored()
        response = confirm(site, "workgroup", proposal["id"])
        assert response.status_code == 403, response.text
        assert response.json()["type"] == "setting_change_own_proposal"
        assert "different person" in response.json()["message"]
        assert stored() == before

    @pytest.mark.parametrize(
        ("proposer", "confirmer"),
        [("workgroup", "siteadmin"), ("siteadmin", "admin"), ("admin", "workgroup")],
    )
    def test_second_person_confirms(self, site, old_ca, new_ca, proposer, confirmer):
        """Applied, and journalled with both people and the old and new fingerprints."""
        proposal = propose(site, proposer, {"trust_anchors": to_pem(new_ca).decode()}).json()
        response = confirm(site, confirmer, proposal["id"])
        assert response.status_code == 200, response.text
        assert response.json()["confirmed_by"] == ("admin" if confirmer == "admin" else confirmer)
        fresh()
        assert signing_setting("trust_anchors") == to_pem(new_ca).decode()
        assert pending_proposals() == []
        changed, confirmed = last_entries(2)
        assert (changed["action"], changed["target"]) == (
            "settings.changed",
            f"{SIGNING_PREFIX}.trust_anchors",
        )
        assert changed["after"]["anchors_sha256"] == [fingerprint(new_ca)]
        assert confirmed["action"] == "settings.confirmed"
        assert confirmed["before"]["proposer"] == proposer
        assert confirmed["actor"] != proposer
        delta = confirmed["after"]["anchors"]["trust_anchors"]
        assert (delta["added"], delta["removed"]) == ([fingerprint(new_ca)], [fingerprint(old_ca)])

    def test_stale_proposal_is_refused(self, site, new_ca):
        """Two proposals on one setting: once one is in force the other is refused (409)."""
        first = propose(site, "workgroup", {"timestamp_url": "http://127.0.0.1:9/a"}).json()
        second = propose(site, "workgroup", {"timestamp_url": "http://127.0.0.1:9/b"}).json()
        assert confirm(site, "siteadmin", first["id"]).status_code == 200
        before = stored()
        response = confirm(site, "siteadmin", second["id"])
        assert response.status_code == 409, response.text
        assert response.json()["type"] == "setting_change_stale"
        assert stored() == before

    def test_unknown_proposal_is_404(self, site):
        """Nothing pending under that id."""
        before = stored()
        assert confirm(site, "siteadmin", "0123456789abcdef").status_code == 404
        assert stored() == before

    def test_withdrawn_proposal_is_gone(self, site, new_ca):
        """DELETE drops it, journalled; it can no longer be confirmed."""
        proposal = propose(site, "workgroup", {"trust_anchors": to_pem(new_ca).decode()}).json()
        response = session("siteadmin").delete(
            f"{site}/@signing-proposals",
            json={"id": proposal["id"], "reason": "来源不明的CA"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        assert response.json()["withdrawn_by"] == "siteadmin"
        [entry] = last_entries(1)
        assert (entry["action"], entry["after"]) == (
            "settings.withdrawn",
            {"reason": "来源不明的CA"},
        )
        assert confirm(site, "admin", proposal["id"]).status_code == 404
        fresh()
        assert signing_setting("trust_anchors") != to_pem(new_ca).decode()


class TestWhoMay:
    """Working group, Site Administrator and Manager propose and confirm; nobody else."""

    @pytest.mark.parametrize("userid", NOT_ENTITLED)
    def test_refused(self, site, new_ca, userid):
        """Propose, list, confirm and withdraw: 401, nothing changes."""
        proposal = propose(site, "workgroup", {"trust_anchors": to_pem(new_ca).decode()}).json()
        before = stored()
        s = session(userid)
        url = f"{site}/@signing-proposals"
        body = {"trust_anchors": "x"}
        assert s.patch(f"{site}/@signing-settings", json=body, timeout=30).status_code == 401
        assert s.get(url, timeout=30).status_code == 401
        assert s.post(url, json={"id": proposal["id"]}, timeout=30).status_code == 401
        assert s.delete(url, json={"id": proposal["id"]}, timeout=30).status_code == 401
        assert stored() == before

    @pytest.mark.parametrize("userid", ENTITLED)
    def test_allowed_to_propose(self, site, userid):
        """202 for each of them."""
        response = propose(site, userid, {"timestamp_url": "http://127.0.0.1:9/tsa"})
        assert response.status_code == 202, response.text


class TestDirectWritesRefused:
    """Routes past the proposal leave the value and the journal as they were."""

    def test_registry_endpoint_as_manager(self, site):
        """plone.restapi's @registry PATCH: 403 setting_change_unconfirmed."""
        before = stored()
        response = session("admin").patch(
            f"{site}/@registry",
            json={f"{SIGNING_PREFIX}.trust_anchors": ""},
            timeout=30,
        )
        assert response.status_code == 403, response.text
        assert response.json()["type"] == "setting_change_unconfirmed"
        assert stored() == before

    def test_registry_edit_form_as_manager(self, site):
        """Plone's generic registry form (portal_registry/edit/<record>): 403 with the reason."""
        s = session("admin")
        s.headers["Accept"] = "text/html"
        s.headers["Accept-Language"] = "en"
        url = f"{site}/portal_registry/edit/{SIGNING_PREFIX}.timestamp_url"
        page = s.get(url, timeout=30)
        tag = re.search(r'<input[^>]*name="_authenticator"[^>]*>', page.text).group(0)
        before = stored()
        response = s.post(
            url,
            data={
                "form.widgets.value": "http://127.0.0.1:9/tsa",
                "form.buttons.save": "Save",
                "_authenticator": re.search(r'value="([^"]+)"', tag).group(1),
            },
            timeout=30,
            allow_redirects=False,
        )
        assert response.status_code == 403, response.text[:500]
        assert re.search(r"data-type=['\"]setting_change_unconfirmed", response.text)
        assert "only by four eyes" in response.text
        assert stored() == before

    @pytest.mark.parametrize("role", ["Manager", "Site Administrator", "ApprovalAdministrator"])
    def test_set_registry_record_in_a_request(self, site, role):
        """What the ZMI's registry form does: raised, the value put back in the same transaction."""
        before = stored()
        with api.env.adopt_roles([role]):
            with pytest.raises(UnconfirmedSettingChange):
                api.portal.set_registry_record(f"{SIGNING_PREFIX}.trust_anchors", "")
            with pytest.raises(UnconfirmedSettingChange):
                api.portal.get_tool("portal_registry")[f"{SIGNING_PREFIX}.pkcs11_module"] = "/x.so"
        # Nothing half-written even before the publisher aborts.
        assert signing_setting("pkcs11_module") == ""
        assert (signing_setting("trust_anchors"), journal().length) == (before[0], before[3])
        transaction.abort()
        assert stored() == before

    def test_calendar_settings_stay_one_person(self, site):
        """The guard is the signing records' only: a calendar record still changes directly."""
        records = api.portal.get_tool("portal_registry").records
        name = next(n for n in records if n.startswith(f"{CALENDAR_PREFIX}."))
        value = api.portal.get_registry_record(name)
        api.portal.set_registry_record(name, value)
        assert api.portal.get_registry_record(name) == value


class TestControlPanel:
    """The Classic UI panel proposes; the pending proposal is confirmed there by another person."""

    def authenticated(self, userid, url):
        """A session as `userid` and the page's CSRF token."""
        s = session(userid)
        s.headers["Accept"] = "text/html"
        page = s.get(url, timeout=30)
        assert page.status_code == 200
        tag = re.search(r'<input[^>]*name="_authenticator"[^>]*>', page.text).group(0)
        return s, page, re.search(r'value="([^"]+)"', tag).group(1)

    def test_save_proposes_and_another_person_confirms(self, site, new_ca):
        """Saving stores a proposal (shown with its fingerprints); the proposer's Confirm fails."""
        url = f"{site}/@@approval-signing-controlpanel"
        s, _page, token = self.authenticated("workgroup", url)
        before = stored()
        form = {
            "form.widgets.trust_anchors": to_pem(new_ca).decode(),
            "form.widgets.timestamp_url": "",
            "form.widgets.timestamp_anchors": "",
            "form.widgets.pkcs11_module": "",
            "form.widgets.agent_url": "http://127.0.0.1:8769",
            "form.widgets.signing_routes": ["agent", "server"],
            "form.widgets.signing_routes-empty-marker": "1",
            "form.buttons.save": "Propose",
            "_authenticator": token,
        }
        saved = s.post(url, data=form, timeout=30)
        assert saved.status_code == 200
        after = stored()
        assert after[0] == before[0]
        [proposal_id] = after[2]
        assert fingerprint(new_ca) in saved.text
        assert 'name="form.confirm"' in saved.text

        own = s.post(
            url, data={"proposal": proposal_id, "form.confirm": "1", "_authenticator": token}
        )
        assert "a different person must confirm it" in own.text
        assert stored()[0] == before[0]

        other, _page, other_token = self.authenticated("siteadmin", url)
        forged = other.post(url, data={"proposal": proposal_id, "form.confirm": "1"}, timeout=30)
        assert forged.status_code == 403
        assert stored()[0] == before[0]
        done = other.post(
            url,
            data={"proposal": proposal_id, "form.confirm": "1", "_authenticator": other_token},
            timeout=30,
        )
        assert done.status_code == 200
        assert "Change confirmed" in done.text
        fresh()
        # The text widget drops the PEM's final newline.
        assert signing_setting("trust_anchors").strip() == to_pem(new_ca).decode().strip()
