"""The signing settings: who may change them, what they accept, and that every change is journalled."""

from datetime import UTC
from datetime import datetime
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from tests.helpers.approval import PASSWORD
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.settings import SIGNING_PREFIX
from zhangdian.approval.settings import set_signing_setting
from zhangdian.approval.settings import signing_setting
from zhangdian.approval.signing.routes import offered_routes
from zhangdian.approval.testing.pki import make_ca
from zhangdian.approval.testing.pki import make_signing_certificate
from zhangdian.approval.testing.pki import to_pem

import pytest
import requests
import transaction


@pytest.fixture(scope="module")
def bureau_ca():
    """A CA certificate and key of the bureau, valid 2025–2035."""
    return make_ca("张店区行政审批服务局 根CA", valid_from=datetime(2025, 1, 1, tzinfo=UTC))


@pytest.fixture
def portal_url(functional_portal, functional_matter_list):
    """The portal's URL, with the test users created and committed."""
    transaction.commit()
    return functional_portal.absolute_url()


def session(userid):
    """A requests session logged in as `userid` (None: anonymous), asking for JSON."""
    s = requests.Session()
    # The portal speaks zh_CN unless asked otherwise; the messages are checked in English.
    s.headers.update({"Accept": "application/json", "Accept-Language": "en"})
    if userid == "admin":
        s.auth = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
    elif userid is not None:
        s.auth = (userid, PASSWORD)
    return s


def state():
    """What a refused change must leave as it was: the settings and the journal's head."""
    transaction.begin()
    log = journal()
    return (signing_setting("trust_anchors"), signing_setting("signing_routes"), log.length)


class TestWhoMayChangeThem:
    """The working group and the site's administrators; nobody else, over REST or the panel."""

    @pytest.mark.parametrize("userid", ["workgroup", "siteadmin", "admin"])
    def test_allowed(self, portal_url, userid):
        """GET answers the settings, the anchors and the routes."""
        response = session(userid).get(f"{portal_url}/@signing-settings", timeout=30)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"settings", "trust_anchors", "timestamp_anchors", "routes"}
        assert {route["name"] for route in body["routes"]} == {"agent", "server"}

    @pytest.mark.parametrize("userid", [None, "member", "editor", "auditor", "supervisor"])
    def test_refused(self, portal_url, bureau_ca, userid):
        """Reading and changing are refused, and nothing changes."""
        before = state()
        s = session(userid)
        assert s.get(f"{portal_url}/@signing-settings", timeout=30).status_code == 401
        patched = s.patch(
            f"{portal_url}/@signing-settings",
            json={"trust_anchors": to_pem(bureau_ca[0]).decode()},
            timeout=30,
        )
        assert patched.status_code == 401
        panel = s.get(
            f"{portal_url}/@@approval-signing-controlpanel", timeout=30, allow_redirects=False
        )
        assert panel.status_code in (302, 401) and "trust-anchors" not in panel.text
        assert state() == before


class TestWhatTheyAccept:
    """A CA bundle, known routes; anything else is a 400 that stores nothing."""

    def test_anchor_is_stored_and_described(self, portal_url, bureau_ca):
        """Proposed, then confirmed by another person: stored; subject, fingerprint, validity listed."""
        pem = to_pem(bureau_ca[0]).decode()
        response = session("workgroup").patch(
            f"{portal_url}/@signing-settings", json={"trust_anchors": pem}, timeout=30
        )
        assert response.status_code == 202
        confirmed = session("siteadmin").post(
            f"{portal_url}/@signing-proposals", json={"id": response.json()["id"]}, timeout=30
        )
        assert confirmed.status_code == 200, confirmed.text
        response = session("workgroup").get(f"{portal_url}/@signing-settings", timeout=30)
        [anchor] = response.json()["trust_anchors"]
        assert anchor["fingerprint_sha256"] == fingerprint(bureau_ca[0])
        assert "根CA" in anchor["subject"]
        assert anchor["not_before"].startswith("2025-01-01")
        assert anchor["valid_now"] is True
        transaction.begin()
        assert signing_setting("trust_anchors") == pem

    @pytest.mark.parametrize(
        ("body", "fragment"),
        [
            ({"trust_anchors": "not a certificate"}, "cannot be read"),
            ({"nonsense": 1}, "no signing setting called nonsense"),
            ({"signing_routes": ["carrier-pigeon"]}, "signing_routes"),
            ({"timestamp_url": 12}, "timestamp_url"),
            ({}, "Send an object"),
        ],
    )
    def test_bad_values_are_refused(self, portal_url, body, fragment):
        """400 invalid_setting with a message that names the problem; nothing stored."""
        before = state()
        response = session("workgroup").patch(
            f"{portal_url}/@signing-settings", json=body, timeout=30
        )
        assert response.status_code == 400
        assert response.json()["type"] == "invalid_setting"
        assert fragment in response.json()["message"]
        assert state() == before

    def test_end_entity_certificate_is_no_anchor(self, portal_url, bureau_ca):
        """An approver's own certificate cannot be made a trust anchor."""
        cert, _key = make_signing_certificate(
            *bureau_ca, "李明", valid_from=datetime(2026, 1, 1, tzinfo=UTC)
        )
        before = state()
        response = session("workgroup").patch(
            f"{portal_url}/@signing-settings",
            json={"trust_anchors": to_pem(bureau_ca[0]).decode() + to_pem(cert).decode()},
            timeout=30,
        )
        assert response.status_code == 400
        assert "is not a CA certificate" in response.json()["message"]
        assert state() == before

    def test_refusal_in_chinese(self, portal_url):
        """The message follows Accept-Language."""
        s = session("workgroup")
        s.headers["Accept-Language"] = "zh-cn"
        response = s.patch(
            f"{portal_url}/@signing-settings", json={"trust_anchors": "x"}, timeout=30
        )
        assert response.status_code == 400
        assert "信任锚" in response.json()["message"]


class TestRoutes:
    """The record chooses among the registered routes; a route needs its configuration too."""

    def test_server_route_needs_the_module(self, functional_portal):
        """Offered by default only where configured: the agent has a URL, the server no module."""
        assert offered_routes() == ["agent"]
        set_signing_setting("pkcs11_module", "/usr/lib/x.so")
        assert offered_routes() == ["agent", "server"]

    def test_bureau_offers_agent_only(self, functional_portal):
        """With the module configured, the record can still withhold the server route."""
        set_signing_setting("pkcs11_module", "/usr/lib/x.so")
        set_signing_setting("signing_routes", ["agent"])
        assert offered_routes() == ["agent"]


class TestJournalled:
    """Every change of a signing setting is journalled; one past the four eyes is refused."""

    def test_anchor_change_names_old_and_new_fingerprints(self, functional_matter_list, bureau_ca):
        """Before and after carry the anchors' SHA-256 fingerprints (the portal's own path)."""
        first = make_ca("旧CA", valid_from=datetime(2025, 1, 1, tzinfo=UTC))[0]
        with api.env.adopt_user(username="workgroup"):
            set_signing_setting("trust_anchors", to_pem(first).decode())
            set_signing_setting("trust_anchors", to_pem(bureau_ca[0]).decode())
        entry = journal().entries[journal().length]
        assert entry["action"] == "settings.changed"
        assert entry["actor"] == "workgroup"
        assert entry["target"] == f"{SIGNING_PREFIX}.trust_anchors"
        assert entry["before"]["anchors_sha256"] == [fingerprint(first)]
        assert entry["after"]["anchors_sha256"] == [fingerprint(bureau_ca[0])]

    def test_plone_registry_endpoint_is_refused(self, portal_url):
        """A Manager's PATCH through plone.restapi's @registry is refused: 403, nothing stored.

        (It used to be stored and journalled; issue 15 puts the signing settings under four
        eyes, so no route writes them past a proposal.)
        """
        transaction.begin()
        before = (signing_setting("timestamp_url"), journal().length)
        response = session("admin").patch(
            f"{portal_url}/@registry",
            json={f"{SIGNING_PREFIX}.timestamp_url": "http://127.0.0.1:9/tsa"},
            timeout=30,
        )
        assert response.status_code == 403, response.text
        assert response.json()["type"] == "setting_change_unconfirmed"
        assert "four eyes" in response.json()["message"]
        transaction.begin()
        assert (signing_setting("timestamp_url"), journal().length) == before


class TestControlPanel:
    """The Classic UI panel lists the anchors and refuses a bad bundle with the field's message."""

    def test_panel_lists_anchor(self, portal_url, bureau_ca, functional_portal):
        """Subject and fingerprint appear on the page."""
        set_signing_setting("trust_anchors", to_pem(bureau_ca[0]).decode())
        transaction.commit()
        page = session("workgroup").get(f"{portal_url}/@@approval-signing-controlpanel", timeout=30)
        assert page.status_code == 200
        assert fingerprint(bureau_ca[0]) in page.text
        assert 'id="trust-anchors"' in page.text

    def test_configlet_listed(self, functional_portal):
        """Site Setup lists the panel."""
        actions = [a.getId() for a in functional_portal.portal_controlpanel.listActions()]
        assert "approval-signing" in actions


def test_form_encoded_patch_is_refused(portal_url):
    """A cross-site form cannot change the settings: 415, nothing stored."""
    before = state()
    response = session("workgroup").patch(
        f"{portal_url}/@signing-settings", data={"trust_anchors": "x"}, timeout=30
    )
    assert response.status_code == 415
    assert state() == before
