"""Install and uninstall handlers of zhangdian.approval."""

from plone import api
from plone.dexterity.utils import createContentInContainer
from Products.CMFPlone.interfaces import INonInstallable
from zope.interface import implementer


MATTER_LIST_ID = "matters"


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
    """Create the one matter list of the site at /matters."""
    portal = api.portal.get()
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
    """Remove the matter list: its types are gone, so its objects would be broken."""
    portal = api.portal.get()
    if MATTER_LIST_ID in portal:
        with api.env.adopt_roles(["Manager"]):
            api.content.delete(obj=portal[MATTER_LIST_ID], check_linkintegrity=False)
