"""Install and uninstall handlers of zhangdian.approval."""

from plone import api
from plone.dexterity.utils import createContentInContainer
from Products.CMFPlone.interfaces import INonInstallable
from zhangdian.approval.accounts.plugin import install_plugin
from zhangdian.approval.accounts.plugin import uninstall_plugin
from zhangdian.approval.casework.verification import SECRET_KEY
from zhangdian.approval.casework.verification import ensure_secret
from zope.annotation.interfaces import IAnnotations
from zope.interface import implementer


MATTER_LIST_ID = "matters"
ROSTER_ID = "approvers"
APPLICATIONS_ID = "applications"
FRONT_LAYOUT = "bureau-front"


@implementer(INonInstallable)
class HiddenProfiles:
    """Hide the uninstall profile and the upgrade steps from the add-ons control panel."""

    def getNonInstallableProfiles(self):
        """Profiles a site manager should not install by hand."""
        return ["zhangdian.approval:uninstall"]

    def getNonInstallableProducts(self):
        """Packages not to list as add-ons."""
        return ["zhangdian.approval.upgrades"]


def create_applications_folder(portal):
    """Create /applications, where every application is filed (not public)."""
    if APPLICATIONS_ID not in portal:
        createContentInContainer(
            portal,
            "ApplicationFolder",
            checkConstraints=False,
            id=APPLICATIONS_ID,
            title="办件库",
            description="申请人提交及窗口登记的全部办件。",
        ).reindexObject()


def show_front_page(portal):
    """Make the bureau's front page the site's view (the public home page)."""
    portal.setLayout(FRONT_LAYOUT)


def post_install(context):
    """Create the matter list, roster, applications folder, QR secret; throttle logins; front."""
    portal = api.portal.get()
    install_plugin(portal)
    create_applications_folder(portal)
    show_front_page(portal)
    ensure_secret(portal)
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
    uninstall_plugin(portal)
    if portal.getLayout() == FRONT_LAYOUT:
        # The view leaves with the add-on's browser layer.
        portal.setLayout(portal.getDefaultLayout())
    for folder_id in (APPLICATIONS_ID, MATTER_LIST_ID, ROSTER_ID):
        if folder_id in portal:
            # Decided applications are frozen for everyone, so the permission-checked
            # delete would refuse; removing the add-on is the one place that may.
            portal._delObject(folder_id, suppress_events=False)
    forget_roles_and_permissions(portal)
    IAnnotations(portal).pop(SECRET_KEY, None)


# The roles the default profile's rolemap.xml declares.
OUR_ROLES = ("ApprovalAdministrator", "Auditor", "Supervisor", "IndependentApprover")
OUR_PERMISSIONS = "zhangdian.approval: "


def forget_roles_and_permissions(portal):
    """Our roles gone (with whoever held them) and our permissions as if never set here."""
    for permission in portal.ac_inherited_permissions(1):
        if permission[0].startswith(OUR_PERMISSIONS):
            portal.manage_permission(permission[0], roles=[], acquire=1)
    defined = [role for role in OUR_ROLES if role in portal.__ac_roles__]
    if defined:
        portal._delRoles(defined)
    role_manager = getattr(portal.acl_users, "portal_role_manager", None)
    known = set(role_manager.listRoleIds()) if role_manager is not None else set()
    for role in known.intersection(OUR_ROLES):
        role_manager.removeRole(role)
