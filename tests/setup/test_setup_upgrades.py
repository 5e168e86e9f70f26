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
