"""Upgrade steps bring a site of an older profile version to the current one."""

from plone import api


PROFILE = "zhangdian.approval:default"


def test_upgrade_from_1000(portal):
    """A 1000 site gets /applications, the calendar control panel and the new indexes."""
    setup = api.portal.get_tool("portal_setup")
    with api.env.adopt_roles(["Manager"]):
        portal._delObject("applications")
        portal.portal_controlpanel.unregisterConfiglet("approval-calendar")
        portal.portal_catalog.delIndex("decision_sha256")
        setup.setLastVersionForProfile(PROFILE, "1000")
        setup.upgradeProfile(PROFILE)
    assert setup.getLastVersionForProfile(PROFILE) == (setup.getVersionForProfile(PROFILE),)
    assert api.content.get_state(portal["applications"]) == "internal"
    configlets = [action.getId() for action in portal.portal_controlpanel.listActions()]
    assert "approval-calendar" in configlets
    assert "decision_sha256" in portal.portal_catalog.indexes()


def test_upgrade_to_1007_creates_the_verification_key(portal):
    """A 1006 site gets the key of the decisions' QR tokens; a second run keeps it."""
    from zhangdian.approval.casework.verification import SECRET_KEY
    from zope.annotation.interfaces import IAnnotations

    setup = api.portal.get_tool("portal_setup")
    annotations = IAnnotations(portal)
    installed = annotations[SECRET_KEY]
    assert len(installed) == 32
    del annotations[SECRET_KEY]
    with api.env.adopt_roles(["Manager"]):
        setup.setLastVersionForProfile(PROFILE, "1006")
        setup.upgradeProfile(PROFILE)
    created = annotations[SECRET_KEY]
    assert len(created) == 32 and created != installed
    with api.env.adopt_roles(["Manager"]):
        setup.setLastVersionForProfile(PROFILE, "1006")
        setup.upgradeProfile(PROFILE)
    assert annotations[SECRET_KEY] == created
