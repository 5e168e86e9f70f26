"""Permission audit: every view and REST service our ZCML registers, against an explicit table.

The registrations are read from the component registry, filtered to the ZCML files of our
package, so a view added without a line in EXPECTED makes this test fail.
"""

from dataclasses import dataclass
from plone.app.content.browser.vocabulary import PERMISSIONS as VOCABULARY_PERMISSIONS
from tests.helpers.approval import register_application_as
from tests.helpers.approval import start_spot_check
from tests.helpers.registrations import registered_views
from tests.helpers.registrations import registered_vocabularies
from zope.component import getUtility
from zope.security.interfaces import IPermission

import pytest
import transaction


PUBLIC = ("zope.Public", "zope2.Public")

SITE = "Products.CMFCore.interfaces.ISiteRoot"
PLONE_SITE = "plone.base.interfaces.siteroot.IPloneSiteRoot"
MATTER_LIST = "zhangdian.approval.content.matter_list.IMatterList"
CATEGORY = "zhangdian.approval.content.matter_category.IMatterCategory"
MATTER = "zhangdian.approval.content.matter.IMatter"
ROSTER = "zhangdian.approval.content.approver_roster.IApproverRoster"
AUTHORIZATION = "zhangdian.approval.content.authorization.IApproverAuthorization"
APPLICATION = "zhangdian.approval.content.application.IApplication"
APPLICATION_FOLDER = "zhangdian.approval.content.application_folder.IApplicationFolder"
SPOT_CHECK = "zhangdian.approval.content.spot_check.ISpotCheck"
NAVIGATION_ROOT = "plone.base.interfaces.siteroot.INavigationRoot"
FOLDERISH = "Products.CMFCore.interfaces.IFolderish"
# Exception views: rendered for a raised refusal, not reachable by a URL.
REFUSED_CHANGE = "zhangdian.approval.casework.frozen.RefusedChange"
UNCONFIRMED_SETTING = "zhangdian.approval.settings.UnconfirmedSettingChange"
TYPE_NOT_ADDABLE = "zhangdian.approval.browser.adding.TypeNotAddable"
EXCEPTION_VIEWS = (REFUSED_CHANGE, UNCONFIRMED_SETTING, TYPE_NOT_ADDABLE)


@dataclass(frozen=True)
class Expected:
    """One registration: `public` is the reason anonymous may call it (None: refused)."""

    kind: str  # "view" (browser:page) or "service" (plone:service)
    name: str
    for_: str
    method: str  # the HTTP method of a service; how a view is used
    permission: str
    public: str | None = None


EXPECTED = (
    # Browser views (browser/configure.zcml, browser/calendar.zcml).
    Expected("view", "matter-list", MATTER_LIST, "GET", "zope2.View", "the published matter list"),
    Expected("view", "matter-list", CATEGORY, "GET", "zope2.View", "one category of the list"),
    Expected(
        "view",
        "matter-list-changes",
        MATTER_LIST,
        "GET",
        "zope2.View",
        "changes of the matters the viewer may read (动态调整 is published)",
    ),
    Expected("view", "matter-view", MATTER, "GET", "zope2.View", "a published matter's page"),
    Expected(
        "view",
        "index.html",
        REFUSED_CHANGE,
        "GET",
        "zope2.Public",
        "the page of a refused copy, move or removal: it shows only the refusal's reason",
    ),
    Expected(
        "view",
        "index.html",
        UNCONFIRMED_SETTING,
        "GET",
        "zope2.Public",
        "the page of a signing record written without the four-eyes confirmation: the reason",
    ),
    Expected(
        "view",
        "index.html",
        TYPE_NOT_ADDABLE,
        "GET",
        "zope2.Public",
        "the page of an add form of a type the user may not add: it shows only the reason",
    ),
    Expected("view", "flowchart.svg", MATTER, "GET", "zope2.View", "a published flowchart"),
    Expected(
        "view",
        "authorization-dashboard",
        ROSTER,
        "GET",
        "zhangdian.approval.authorization.manage",
    ),
    # Plone's own form is zope2.View too; the workflow guards each transition.
    Expected("view", "edit", AUTHORIZATION, "POST", "cmf.ModifyPortalContent"),
    Expected("view", "content_status_modify", AUTHORIZATION, "GET", "zope2.View"),
    Expected("view", "content_status_modify", APPLICATION, "GET", "zope2.View"),
    Expected("view", "view", APPLICATION, "GET", "zope2.View"),
    Expected("view", "approval-queue", SITE, "GET", "zhangdian.approval.queue.view"),
    Expected("view", "view", APPLICATION_FOLDER, "GET", "zope2.View"),
    Expected("view", "audit-journal", SITE, "GET", "zhangdian.approval.audit.view"),
    Expected("view", "evidence-bundle", APPLICATION, "GET", "zhangdian.approval.audit.view"),
    Expected("view", "annual-assessment", SITE, "GET", "zhangdian.approval.assessment.view"),
    Expected("view", "annual-assessment.xlsx", SITE, "GET", "zhangdian.approval.assessment.view"),
    Expected("view", "annual-assessment.pdf", SITE, "GET", "zhangdian.approval.assessment.view"),
    Expected("view", "record-grade", SITE, "POST", "zhangdian.approval.authorization.manage"),
    Expected(
        "view",
        "renew-authorization",
        AUTHORIZATION,
        "POST",
        "zhangdian.approval.authorization.manage",
    ),
    Expected(
        "view",
        "application-status",
        SITE,
        "GET",
        "zope2.View",
        "the public lookup; number and query code are the key",
    ),
    Expected("view", "sign-decision", APPLICATION, "POST", "zhangdian.approval.application.decide"),
    Expected(
        "view", "review-checklist", APPLICATION, "POST", "zhangdian.approval.application.decide"
    ),
    Expected(
        "view",
        "manifest.webmanifest",
        SITE,
        "GET",
        "zope.Public",
        "the web app's manifest: names and icons, no data",
    ),
    Expected(
        "view",
        "service-worker.js",
        SITE,
        "GET",
        "zope.Public",
        "the service worker script: caches the shell only",
    ),
    Expected("view", "offline", SITE, "GET", "zope.Public", "the static offline page, no data"),
    Expected(
        "view",
        "decision-document",
        SITE,
        "GET",
        "zope2.View",
        "the decision PDF for whoever holds number and query code",
    ),
    Expected("view", "matters-export", MATTER_LIST, "GET", "zhangdian.approval.matter_list.manage"),
    Expected("view", "matters-import", MATTER_LIST, "GET", "zhangdian.approval.matter_list.manage"),
    Expected(
        "view",
        "approval-calendar-controlpanel",
        PLONE_SITE,
        "GET",
        "zhangdian.approval.authorization.manage",
    ),
    Expected(
        "view",
        "approval-signing-controlpanel",
        PLONE_SITE,
        "GET",
        "zhangdian.approval.signing.manage",
    ),
    Expected(
        "view",
        "login",
        NAVIGATION_ROOT,
        "POST",
        "zope.Public",
        "Plone's login form (accounts/): how one logs in; the throttle refuses in PAS",
    ),
    # The front page and the desks (browser/desks.zcml).
    Expected("view", "bureau-front", SITE, "GET", "zope2.View", "the public home page"),
    Expected(
        "view",
        "verify-decision",
        SITE,
        "GET",
        "zope2.View",
        "anyone may verify a decision PDF they hold",
    ),
    Expected(
        "view",
        "audit-log-heads",
        SITE,
        "GET",
        "zope2.View",
        "signed tree heads are public, for anyone to keep and compare",
    ),
    Expected("view", "workbench", SITE, "GET", "zhangdian.approval.authorization.manage"),
    Expected("view", "supervision-desk", SITE, "GET", "zhangdian.approval.audit.view"),
    # REST services (services/*/configure.zcml).
    Expected(
        "service",
        "@login",
        PLONE_SITE,
        "POST",
        "zope.Public",
        "plone.restapi's login, answering the throttle's 429/423: how one logs in",
    ),
    Expected("service", "@login-unlock", SITE, "POST", "zhangdian.approval.authorization.manage"),
    Expected("service", "@annual-assessment", SITE, "GET", "zhangdian.approval.assessment.view"),
    Expected(
        "service",
        "@application-status",
        SITE,
        "GET",
        "zope2.View",
        "the public lookup; number and query code are the key",
    ),
    Expected("service", "@approval-queue", SITE, "GET", "zhangdian.approval.queue.view"),
    Expected("service", "@desk", SITE, "GET", "zhangdian.approval.queue.view"),
    Expected("service", "@audit-journal", SITE, "GET", "zhangdian.approval.audit.view"),
    Expected(
        "service",
        "@audit-log-consistency",
        SITE,
        "GET",
        "zope.Public",
        "consistency proofs are public: anyone holding two heads checks them",
    ),
    Expected(
        "service",
        "@audit-log-proof",
        SITE,
        "GET",
        "zope.Public",
        "inclusion proofs are public; the entry only for journal readers",
    ),
    Expected(
        "service",
        "@audit-log-sth",
        SITE,
        "GET",
        "zope.Public",
        "the signed tree head is public, for anyone to keep",
    ),
    Expected("service", "@audit-log-verify", SITE, "GET", "zhangdian.approval.audit.view"),
    Expected(
        "service",
        "@authorization-check",
        SITE,
        "GET",
        "zhangdian.approval.authorization.check_own",
    ),
    Expected("service", "@flowchart", MATTER, "GET", "zope2.View", "a published flowchart"),
    Expected("service", "@signing-settings", SITE, "GET", "zhangdian.approval.signing.manage"),
    Expected("service", "@signing-settings", SITE, "PATCH", "zhangdian.approval.signing.manage"),
    Expected("service", "@signing-proposals", SITE, "GET", "zhangdian.approval.signing.manage"),
    Expected("service", "@signing-proposals", SITE, "POST", "zhangdian.approval.signing.manage"),
    Expected("service", "@signing-proposals", SITE, "DELETE", "zhangdian.approval.signing.manage"),
    Expected("service", "@matters", SITE, "GET", "zope2.View", "the published matter list"),
    Expected(
        "service",
        "@my-authorizations",
        SITE,
        "GET",
        "zhangdian.approval.authorization.check_own",
    ),
    Expected("service", "@pin-unlock", SITE, "POST", "zhangdian.approval.authorization.manage"),
    Expected(
        "service", "@sign-complete", APPLICATION, "POST", "zhangdian.approval.application.decide"
    ),
    Expected(
        "service", "@sign-prepare", APPLICATION, "POST", "zhangdian.approval.application.decide"
    ),
    Expected(
        "service", "@sign-server", APPLICATION, "POST", "zhangdian.approval.application.decide"
    ),
    # plone.restapi's own @move (same permission), asking kept records first for their reason.
    Expected("service", "@move", FOLDERISH, "POST", "zope2.View"),
    # Readers of the spot check reach it; rules.oversight refuses all but supervisors, saying why.
    Expected("service", "@spot-check-finding", SPOT_CHECK, "POST", "zope2.View"),
    Expected("service", "@verify", SITE, "POST", "zope2.View", "anyone may verify a decision PDF"),
    Expected(
        "service",
        "@verify",
        SITE,
        "GET",
        "zope2.View",
        "the holder checks the record with number and query code",
    ),
)


def expected_key(entry):
    """The key of an EXPECTED entry, comparable with Registered.key."""
    return (entry.kind, entry.name, entry.for_, entry.method if entry.kind == "service" else None)


def permission_title(permission_id):
    """The title Zope checks for a permission id (None for the public ones)."""
    if permission_id in PUBLIC:
        return None
    return getUtility(IPermission, name=permission_id).title


class TestRegisteredPermissions:
    """The registry and the table agree, view by view."""

    @pytest.fixture(autouse=True)
    def _registered(self, portal):
        self.registered = registered_views()

    def test_finds_our_views_and_services(self):
        """The enumeration sees both kinds (else the comparisons below prove nothing)."""
        kinds = {item.kind for item in self.registered.values()}
        assert kinds == {"view", "service"}
        assert len(self.registered) >= 30

    def test_every_registration_is_in_the_table(self):
        """A new view or service needs its line in EXPECTED."""
        table = {expected_key(entry) for entry in EXPECTED}
        missing = [item for key, item in self.registered.items() if key not in table]
        assert missing == [], "registered but not in EXPECTED"

    def test_every_table_entry_is_registered(self):
        """No stale lines: the table describes what exists."""
        stale = [entry for entry in EXPECTED if expected_key(entry) not in self.registered]
        assert stale == []

    def test_table_has_no_duplicates(self):
        """One line per registration."""
        keys = [expected_key(entry) for entry in EXPECTED]
        assert len(keys) == len(set(keys))

    @pytest.mark.parametrize("entry", EXPECTED, ids=lambda e: f"{e.kind}:{e.name}:{e.method}")
    def test_permission(self, entry):
        """Each one is protected by the permission the table names."""
        item = self.registered[expected_key(entry)]
        assert item.permission_title == permission_title(entry.permission), item.zcml

    def test_public_permissions_are_justified(self):
        """zope.Public / zope2.Public only with a written reason."""
        reasons = {expected_key(entry): entry.public for entry in EXPECTED}
        unexplained = [e for e in EXPECTED if e.permission in PUBLIC and not e.public]
        unexplained += [
            item
            for key, item in self.registered.items()
            if item.permission_title is None and not reasons.get(key)
        ]
        assert unexplained == []


# @vocabularies serves a named vocabulary with View unless plone.app.content PERMISSIONS
# names a stronger permission: each of ours says why anyone may read it.
PUBLIC_VOCABULARIES = {
    "zhangdian.approval.applicant_kinds": "fixed labels",
    "zhangdian.approval.appraisal_results": "fixed labels",
    "zhangdian.approval.material_forms": "fixed labels",
    "zhangdian.approval.risk_levels": "fixed labels",
    "zhangdian.approval.matter_categories": "the categories of the public matter list",
    "zhangdian.approval.matter_codes": "a restricted query: the matters the user may read",
    "zhangdian.approval.application_materials": "its matter's table; needs View on the application",
    "zhangdian.approval.signing_routes": "the names of the registered signing routes",
    "zhangdian.approval.user_accounts": "every account only with Manage Authorizations; "
    "anyone else gets the approver of the authorisation in front of them",
}


def test_every_vocabulary_is_accounted_for(portal):
    """A new vocabulary is either protected in PERMISSIONS or listed as public with a reason."""
    ours = registered_vocabularies()
    assert len(ours) >= 7
    unexplained = {
        name
        for name in ours
        if name not in VOCABULARY_PERMISSIONS and not PUBLIC_VOCABULARIES.get(name)
    }
    assert unexplained == set()
    assert set(PUBLIC_VOCABULARIES) <= ours


@pytest.fixture
def contexts(functional_portal, functional_granted):
    """Path (from the portal) of an object for each interface a view is registered for."""
    portal = functional_portal
    application = register_application_as(portal, "member", "XK-T-001")
    check = start_spot_check(portal, title="2026-Q1", quarter="2026-Q1", share=0.2, seed="audit")
    transaction.commit()
    base = len(portal.absolute_url()) + 1
    return {
        SITE: "",
        PLONE_SITE: "",
        NAVIGATION_ROOT: "",
        MATTER_LIST: "matters",
        CATEGORY: "matters/jmss",
        MATTER: "matters/jmss/xk-t-001",
        ROSTER: "approvers",
        AUTHORIZATION: functional_granted.absolute_url()[base:],
        APPLICATION: application.absolute_url()[base:],
        APPLICATION_FOLDER: "applications",
        SPOT_CHECK: check.absolute_url()[base:],
        FOLDERISH: "applications",
    }


def refused(response):
    """True when the portal refused anonymous: 401/403, or the redirect to the login form."""
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("Location", "")
    return response.status_code == 302 and "login" in location


def anonymous_call(session, entry, path):
    """Call the view or service the way it is used, as anonymous, without following redirects."""
    prefix = f"{path}/" if path else ""
    name = entry.name if entry.kind == "service" else f"@@{entry.name}"
    kwargs = {"allow_redirects": False}
    if entry.method == "POST":
        kwargs["json" if entry.kind == "service" else "data"] = {}
    return session.request(entry.method, f"{prefix}{name}", **kwargs)


def test_anonymous_is_refused_everywhere_but_the_public_ones(contexts, request_factory):
    """Live, over HTTP: anonymous gets 401/403 (or the login form) on every non-public entry."""
    rest = request_factory()
    pages = request_factory(api=False)
    pages.headers["Accept"] = "text/html"
    wrong = []
    for entry in EXPECTED:
        if entry.for_ in EXCEPTION_VIEWS:
            continue  # no URL leads to them; test_security_oversight and the four-eyes tests render them
        session = rest if entry.kind == "service" else pages
        response = anonymous_call(session, entry, contexts[entry.for_])
        if refused(response) == bool(entry.public) or response.status_code >= 500:
            wrong.append((entry.kind, entry.name, entry.method, response.status_code))
    assert wrong == []
