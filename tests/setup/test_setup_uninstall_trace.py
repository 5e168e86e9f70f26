"""Uninstalling leaves what a site that never had the add-on has (as far as Plone allows).

What stays, by design or because Plone cannot undo it: the dependencies' profiles
(plone.restapi, the datagrid field), the language settings the bureau chose with the add-on
(zh_CN, the language selector), and the permissions registered by our ZCML while the package
is still on the Python path (they exist in every Zope of the process, with no setting here).
"""

from plone import api
from plone.app.viewletmanager.interfaces import IViewletSettingsStorage
from Products.CMFPlone.factory import addPloneSite
from zhangdian.approval import PACKAGE_NAME
from zhangdian.approval.casework.verification import SECRET_KEY
from zope.annotation.interfaces import IAnnotations
from zope.component.hooks import setSite

import pytest


MANAGERS = (
    "plone.portalheader",
    "plone.portalfooter",
    "plone.belowcontenttitle",
    "plone.abovecontent",
)
PLONE_PERMISSIONS = (
    "Show Toolbar",
    "CMFEditions: Access previous versions",
    "CMFEditions: Save new version",
    "CMFEditions: Apply version control",
)
DEPENDENCIES = (
    "plone.app.contenttypes:default",
    "plone.restapi:default",
    "collective.z3cform.datagridfield:default",
)


def trace(site):
    """What the add-on's profile changes, as `site` has it now."""
    setSite(site)
    storage = site.getSiteManager().getUtility(IViewletSettingsStorage)
    skin = site.portal_skins.getDefaultSkin()
    permissions = {
        name: (
            sorted(r["name"] for r in site.rolesOfPermission(name) if r["selected"]),
            bool(site.acquiredRolesAreUsedBy(name)),
        )
        for name in PLONE_PERMISSIONS
    }
    ours = {
        name: site.rolesOfPermission(name)
        for name, *_rest in site.ac_inherited_permissions(1)
        if name.startswith("zhangdian.approval: ")
    }
    return {
        "hidden": {m: sorted(storage.getHidden(m, skin)) for m in MANAGERS},
        "order": {m: [v for v in storage.getOrder(m, skin) if "zhangdian" in v] for m in MANAGERS},
        "login modal": site.portal_actions.user.login.getProperty("modal"),
        "permissions": permissions,
        "our permissions set": sorted(
            name for name, roles in ours.items() if any(r["selected"] for r in roles)
        ),
        "roles": sorted(site.valid_roles()),
        "PAS roles": sorted(site.acl_users.portal_role_manager.listRoleIds()),
        "layout": site.getLayout(),
        "types": sorted(t for t in site.portal_types.objectIds() if t in ours_types()),
        "QR key": SECRET_KEY in IAnnotations(site),
        "layers": sorted(
            name for name, _layer in site.getSiteManager().getUtilitiesFor(_layer_interface())
        ),
    }


def ours_types():
    """Our content types."""
    return {
        "Application",
        "ApplicationFolder",
        "ApproverAuthorization",
        "ApproverRoster",
        "Callback",
        "Matter",
        "MatterCategory",
        "MatterList",
        "SpotCheck",
        "SubmittedMaterial",
    }


def _layer_interface():
    from plone.browserlayer.interfaces import ILocalBrowserLayerType

    return ILocalBrowserLayerType


@pytest.fixture
def never_had_it(app, portal):
    """A Plone site with the same dependencies, never given zhangdian.approval."""
    with api.env.adopt_roles(["Manager"]):
        fresh = addPloneSite(
            app, "fresh", setup_content=False, default_language="en", extension_ids=DEPENDENCIES
        )
    expected = trace(fresh)
    setSite(portal)
    return expected


def test_installed_site_differs(portal, never_had_it):
    """The comparison sees the add-on while it is installed."""
    installed = trace(portal)
    setSite(portal)
    assert installed != never_had_it
    assert "plone.logo" in installed["hidden"]["plone.portalheader"]
    assert "Supervisor" in installed["roles"]


def test_uninstall_leaves_no_trace(portal, installer, never_had_it):
    """Viewlets, actions, rolemap, roles, types, layer and the QR key: as never installed."""
    setSite(portal)
    with api.env.adopt_roles(["Manager"]):
        installer.uninstall_product(PACKAGE_NAME)
    after = trace(portal)
    assert after == never_had_it
