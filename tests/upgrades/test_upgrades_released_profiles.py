"""A site installed at any released profile version upgrades to exactly what a fresh install gives.

`released/<version>/` holds `profiles/default` as it was released at that version (1000 and
1001 taken from git at d387a28^ and d387a28). A site is built from such a copy the way it was
installed then: the dependencies, the copy imported as a tarball, the version recorded and the
folders that version's post-install handler made. It is then upgraded with the real upgrade
steps and its GenericSetup export compared, file by file, with a site installed fresh.
"""

from AccessControl.SecurityManagement import newSecurityManager
from datetime import UTC
from datetime import datetime
from pathlib import Path
from plone.app.testing import SITE_OWNER_NAME
from plone.dexterity.utils import createContentInContainer
from Products.CMFCore.indexing import processQueue
from Products.CMFPlone.factory import addPloneSite
from Products.PluggableAuthService.interfaces.plugins import IAuthenticationPlugin
from zhangdian.approval.accounts.plugin import PLUGIN_ID
from zhangdian.approval.settings import SIGNING_PREFIX
from zhangdian.approval.workdays import CALENDAR_PREFIX
from zope.component.hooks import getSite
from zope.component.hooks import setSite

import difflib
import io
import itertools
import pytest
import tarfile
import time_machine


PROFILE = "zhangdian.approval:default"
PROFILES = Path(__file__).parents[2] / "profiles"
RELEASED = Path(__file__).parent / "released"
SITE_CREATED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DEPENDENCIES = ("plone.restapi:default", "collective.z3cform.datagridfield:default")
# Every export step that writes what our profile sets.
COMPARED_STEPS = (
    "typeinfo",
    "workflows",
    "rolemap",
    "catalog",
    "plone.app.registry",
    "controlpanel",
    "browserlayer",
    "repositorytool",
    "viewlets",
    "actions",
)


def released_versions():
    """The versions kept under released/, oldest first."""
    return sorted(p.name for p in RELEASED.iterdir() if p.is_dir())


def current_version():
    """The version profiles/default declares."""
    text = (PROFILES / "default" / "metadata.xml").read_text()
    return text.split("<version>")[1].split("</version>")[0]


def tarball(directory):
    """The profile directory as a tar archive GenericSetup can import."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        # Folders need entries of their own: the import context lists them (registry/).
        for path in sorted(directory.rglob("*")):
            archive.add(path, arcname=str(path.relative_to(directory)), recursive=False)
    return buffer.getvalue()


def post_install_of(version, site):
    """What the post-install handler of `version` created besides the profile."""
    folders = [("MatterList", "matters"), ("ApproverRoster", "approvers")]
    if version >= "1001":
        folders.append(("ApplicationFolder", "applications"))
    for portal_type, folder_id in folders:
        createContentInContainer(site, portal_type, checkConstraints=False, id=folder_id)


def new_site(app, site_id, extensions):
    """A Plone site made as instance/scripts/create_site.py makes one."""
    # addPloneSite looks some tools up from the current site; make it the Zope root's view.
    setSite(None)
    # Site creation stores its time (plone.app.theming's custom_css_timestamp): the same
    # frozen moment for every site, so that exports differ only where profiles do.
    with time_machine.travel(SITE_CREATED, tick=False):
        site = addPloneSite(
            app,
            site_id,
            setup_content=False,
            default_language="zh-cn",
            extension_ids=["plone.app.contenttypes:default", *extensions],
        )
    setSite(site)
    # Index what is queued while this site is current: the next site's setup would else
    # process it with no registry to look things up in.
    processQueue()
    return site


def released_site(app, version):
    """A site installed from released/<version> as that release installed it."""
    site = new_site(app, f"site{version}", [])
    setup = site.portal_setup
    for dependency in DEPENDENCIES:
        setup.runAllImportStepsFromProfile(f"profile-{dependency}")
    setup.runAllImportStepsFromProfile(None, archive=tarball(RELEASED / version))
    setup.setLastVersionForProfile(PROFILE, version)
    post_install_of(version, site)
    return site


def exported(site):
    """{path: text} of the compared export steps of `site`."""
    setup = site.portal_setup
    files = {}
    for step in COMPARED_STEPS:
        # Some registry defaults are computed when exported (the theming timestamp).
        with time_machine.travel(SITE_CREATED, tick=False):
            result = setup.runExportStep(step)
        with tarfile.open(fileobj=io.BytesIO(result["tarball"])) as archive:
            for member in archive.getmembers():
                if member.isfile():
                    files[member.name] = archive.extractfile(member).read().decode()
    return files


def differences(upgraded, fresh):
    """A unified diff of every export file that differs."""
    lines = []
    for name in sorted(set(upgraded) | set(fresh)):
        a, b = upgraded.get(name, ""), fresh.get(name, "")
        if a != b:
            lines.extend(
                difflib.unified_diff(
                    a.splitlines(), b.splitlines(), f"upgraded/{name}", f"fresh/{name}", lineterm=""
                )
            )
    return "\n".join(lines)


@pytest.fixture
def sites(app):
    """Make sites in the test's database as the Zope admin; the current site comes back after."""
    previous = getSite()
    newSecurityManager(None, app.acl_users.getUserById(SITE_OWNER_NAME).__of__(app.acl_users))
    yield app
    setSite(previous)


@pytest.fixture
def fresh_export(sites):
    """The export of a site installed at the head of the profile."""
    site = new_site(sites, "fresh", [PROFILE])
    setSite(site)
    return exported(site)


class TestUpgradeFromReleasedProfiles:
    """Every released version reaches the head and looks like a fresh install."""

    @pytest.mark.parametrize("version", released_versions())
    def test_upgraded_site_matches_fresh_install(self, sites, fresh_export, version):
        """Export of types, workflows, rolemap, catalog, registry and control panel: no difference."""
        site = released_site(sites, version)
        setup = site.portal_setup
        setup.upgradeProfile(PROFILE)
        assert setup.getLastVersionForProfile(PROFILE) == (current_version(),)
        assert differences(exported(site), fresh_export) == ""

    def test_upgrade_indexes_decided_applications_and_applies_new_permissions(self, sites):
        """1001 → head: a decided application is found by decided_at and readable by supervisors."""
        site = released_site(sites, "1001")
        setup = site.portal_setup
        application = createContentInContainer(
            site["applications"], "Application", checkConstraints=False, id="ZD-2026-000001"
        )
        application.decided_at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
        catalog = site.portal_catalog
        view = "View"
        assert "Supervisor" not in [
            r["name"] for r in application.rolesOfPermission(view) if r["selected"]
        ]
        setup.upgradeProfile(PROFILE)
        found = catalog.unrestrictedSearchResults(
            decided_at={"query": datetime(2026, 3, 1, tzinfo=UTC), "range": "min"}
        )
        assert [b.getId for b in found] == [application.getId()]
        assert found[0].decided_at is not None
        assert "Supervisor" in [
            r["name"] for r in application.rolesOfPermission(view) if r["selected"]
        ]

    def test_upgrade_shows_the_front_page(self, sites):
        """1004 → head: the home page becomes the bureau's front page, as on a fresh install."""
        site = released_site(sites, "1004")
        assert site.getLayout() != "bureau-front"
        site.portal_setup.upgradeProfile(PROFILE)
        assert site.getLayout() == "bureau-front"

    def test_upgrade_keeps_the_bureaus_settings(self, sites):
        """1001 → head: trust anchors, PKCS#11 module and a year of holidays survive the renaming."""
        site = released_site(sites, "1001")
        registry = site.portal_registry
        old_signing = "zhangdian.approval.settings.ISigningSettings"
        old_calendar = "zhangdian.approval.workdays.ICalendarSettings"
        registry[f"{old_signing}.trust_anchors"] = "-----BEGIN CERTIFICATE-----\nbureau"
        registry[f"{old_signing}.pkcs11_module"] = "/opt/hsm/libhsm.so"
        holidays = [*registry[f"{old_calendar}.holidays"], "2027-01-01 元旦"]
        registry[f"{old_calendar}.holidays"] = holidays
        site.portal_setup.upgradeProfile(PROFILE)
        assert registry[f"{SIGNING_PREFIX}.trust_anchors"] == "-----BEGIN CERTIFICATE-----\nbureau"
        assert registry[f"{SIGNING_PREFIX}.pkcs11_module"] == "/opt/hsm/libhsm.so"
        assert registry[f"{CALENDAR_PREFIX}.holidays"] == holidays
        assert [n for n in registry.records if n.startswith((old_signing, old_calendar))] == []

    def test_upgrade_installs_the_login_throttle(self, sites):
        """1004 → head: the login throttle becomes the first authentication plugin."""
        site = released_site(sites, "1004")
        assert PLUGIN_ID not in site.acl_users.objectIds()
        site.portal_setup.upgradeProfile(PROFILE)
        assert site.acl_users.plugins.listPluginIds(IAuthenticationPlugin)[0] == PLUGIN_ID


class TestProfileVersion:
    """A change to profiles/default without a new version and upgrade step fails here."""

    def test_head_is_kept_as_released(self):
        """released/<version of metadata.xml> is a copy of profiles/default, byte for byte."""
        head = PROFILES / "default"
        copy = RELEASED / current_version()
        assert copy.is_dir(), (
            f"profiles/default declares {current_version()}: add an upgrade step to it and "
            f"copy the profile to {copy} once it is final"
        )
        files = {p.relative_to(head): p.read_bytes() for p in head.rglob("*") if p.is_file()}
        kept = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
        changed = sorted(
            str(name) for name in set(files) | set(kept) if files.get(name) != kept.get(name)
        )
        assert changed == [], (
            "profiles/default changed since its version was released: give it a new version in "
            f"metadata.xml, an upgrade step, and a copy under released/: {changed}"
        )

    def test_every_version_has_an_upgrade_step(self, portal):
        """The upgrade steps chain 1000 → … → the current version without a gap."""
        setup = portal.portal_setup
        steps = setup.listUpgrades(PROFILE, show_old=True)
        flat = [s for step in steps for s in (step if isinstance(step, list) else [step])]
        edges = sorted({(s["ssource"], s["sdest"]) for s in flat})
        versions = sorted({*released_versions(), current_version()} | {v for e in edges for v in e})
        assert edges == list(itertools.pairwise(versions))
