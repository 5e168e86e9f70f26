"""Install and uninstall handlers of zhangdian.approval."""

from plone import api
from plone.dexterity.utils import createContentInContainer
from Products.CMFPlone.interfaces import INonInstallable
from zope.interface import implementer


MATTER_LIST_ID = "matters"
ROSTER_ID = "approvers"


@implementer(INonInstallable)
class HiddenProfiles:
    """Hide the uninstall profile and the upgrade steps from the add-ons control panel."""

    def getNonInstallableProfiles(self):
        """Profiles a site manager should not install by hand."""
        return ["zhangdian.approval:uninstall"]

    def getNonInstallableProducts(self):
        """Packages not to list as add-ons."""
        return ["zhangdian.approval.upgrades"]


def post_install(context):
    """Create the matter list at /matters and the approver roster at /approvers."""
    portal = api.portal.get()
    if ROSTER_ID not in portal:
        createContentInContainer(
            portal,
            "ApproverRoster",
            checkConstraints=False,
            id=ROSTER_ID,
            title="独立审批员名册",
            description="独立审批员的授权、资格与签名证书。",
        ).reindexObject()
    if MATTER_LIST_ID not in portal:
        # The list is not addable by hand (one per site), so bypass the type constraints.
        matter_list = createContentInContainer(
            portal,
            "MatterList",
            checkConstraints=False,
            id=MATTER_LIST_ID,
            title="事项清单",
            description="适用独立审批的行政许可事项清单。",
        )
        matter_list.reindexObject()


def uninstall(context):
    """Remove the list and the roster: their types are gone, so they would be broken."""
    portal = api.portal.get()
    with api.env.adopt_roles(["Manager"]):
        for folder_id in (MATTER_LIST_ID, ROSTER_ID):
            if folder_id in portal:
                api.content.delete(obj=portal[folder_id], check_linkintegrity=False)
