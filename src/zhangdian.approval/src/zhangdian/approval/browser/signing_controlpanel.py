"""The signing settings control panel: trust anchors listed, timestamp authority, routes."""

from plone.app.registry.browser.controlpanel import ControlPanelFormWrapper
from plone.app.registry.browser.controlpanel import RegistryEditForm
from plone.z3cform import layout
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zhangdian.approval import _
from zhangdian.approval.settings import SIGNING_PREFIX
from zhangdian.approval.settings import ISigningSettings
from zhangdian.approval.settings import describe_anchors
from zhangdian.approval.settings import signing_setting
from zhangdian.approval.signing.routes import offered_routes
from zhangdian.approval.signing.routes import signing_routes_vocabulary


class SigningControlPanelForm(RegistryEditForm):
    """Edit the signing settings; every change is journalled by the registry subscriber."""

    schema = ISigningSettings
    schema_prefix = SIGNING_PREFIX
    id = "approval-signing-controlpanel"
    label = _("Signing settings")
    description = _(
        "help_signing_controlpanel",
        default="Approver certificates must be issued by one of these trust anchors; decisions "
        "signed under an anchor stay verifiable only while it is listed here.",
    )


class SigningControlPanel(ControlPanelFormWrapper):
    """The form, with the configured anchors and routes listed above it."""

    form = SigningControlPanelForm
    index = ViewPageTemplateFile("templates/signing_controlpanel.pt")

    def anchors(self):
        """The trust anchors as stored (what the form shows is the PEM text)."""
        return describe_anchors(signing_setting("trust_anchors"))

    def timestamp_anchors(self):
        """The timestamp authority's anchors, when it belongs to another PKI."""
        return describe_anchors(signing_setting("timestamp_anchors"))

    def routes(self):
        """Every registered route: its title and whether approvers can use it now."""
        offered = offered_routes()
        return [
            {"name": term.value, "title": term.title, "offered": term.value in offered}
            for term in signing_routes_vocabulary(self.context)
        ]


SigningControlPanelView = layout.wrap_form(SigningControlPanelForm, SigningControlPanel)
