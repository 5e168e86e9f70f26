"""The bureau's look: its name where Plone shows its logo, its contact where Plone shows its own."""

from Acquisition import aq_inner
from plone import api
from plone.app.layout.viewlets import ViewletBase
from plone.protect.utils import addTokenToUrl
from Products.CMFCore.interfaces import IFolderish
from zhangdian.approval import _
from zhangdian.approval.casework.decisions import BUREAU_NAME
from zhangdian.approval.content.approver_roster import IApproverRoster
from zhangdian.approval.content.authorization import IApproverAuthorization
from zhangdian.approval.content.callback import ICallback
from zhangdian.approval.content.matter import IMatter
from zhangdian.approval.content.matter_category import IMatterCategory
from zhangdian.approval.content.matter_list import IMatterList
from zhangdian.approval.content.spot_check import ISpotCheck


# The windows' contact and hours: constants of this bureau, not settings (they change with a
# release, like the bureau's name printed on every decision).
CONTACT = (
    (
        _("label_bureau_address", default="Address"),
        _(
            "bureau_address",
            default="Zhangdian Government Service Centre, ground floor, acceptance windows",
        ),
    ),
    (
        _("label_bureau_phone", default="Telephone"),
        _("bureau_phone", default="0533-12345 (government service hotline)"),
    ),
    (
        _("label_window_hours", default="Window hours"),
        _(
            "bureau_hours",
            default="Monday to Friday 9:00–12:00 and 13:00–17:00 (public holidays closed)",
        ),
    ),
)

# Our content whose pages carry the actions (an application's page has its own buttons).
_WITH_ACTIONS = (
    IMatterList,
    IMatterCategory,
    IMatter,
    IApproverRoster,
    IApproverAuthorization,
    ISpotCheck,
    ICallback,
)


class BureauNameViewlet(ViewletBase):
    """The bureau's name (and the slot for its emblem), linking to the front page."""

    bureau_name = BUREAU_NAME


class BureauFooterViewlet(ViewletBase):
    """The bureau's name, address, telephone and window hours."""

    bureau_name = BUREAU_NAME

    def contact(self):
        """(label, text) rows."""
        return CONTACT


class ObjectActionsViewlet(ViewletBase):
    """State, transitions, edit and add links of our content, for those without Plone's toolbar.

    Each link is what the toolbar would have offered this user: the workflow's allowed
    transitions, Edit with Modify portal content, Add for the types they may construct.
    """

    def update(self):
        super().update()
        self.anonymous = api.user.is_anonymous()
        context = aq_inner(self.context)
        self.shown = any(interface.providedBy(context) for interface in _WITH_ACTIONS)
        self.transitions, self.adds, self.edit_url, self.state_title = [], [], None, None
        if not self.shown or self.anonymous:
            return
        workflow = api.portal.get_tool("portal_workflow")
        if workflow.getChainFor(context):
            state = api.content.get_state(context, default=None)
            self.state_title = state and workflow.getTitleForStateOnType(state, context.portal_type)
        for action in workflow.listActionInfos(object=context):
            if action["category"] == "workflow" and action["allowed"]:
                url = action["url"] or (
                    f"{context.absolute_url()}/content_status_modify?workflow_action={action['id']}"
                )
                self.transitions.append(
                    {"id": action["id"], "title": action["title"], "url": addTokenToUrl(url)}
                )
        if api.user.has_permission("Modify portal content", obj=context):
            self.edit_url = f"{context.absolute_url()}/edit"
        # An item acquires its folder's allowedContentTypes: its ++add++ links would be 404s.
        if IFolderish.providedBy(context):
            self.adds = [
                {
                    "id": fti.getId(),
                    "title": fti.Title(),
                    "url": f"{context.absolute_url()}/++add++{fti.getId()}",
                }
                for fti in context.allowedContentTypes()
            ]
