"""The signing settings control panel: trust anchors listed, timestamp authority, routes.

Saving the form proposes the change (four eyes, settings_changes.py); the pending proposals
are listed above the form, each with Confirm (another person) and Withdraw.
"""

from plone.app.registry.browser.controlpanel import ControlPanelFormWrapper
from plone.app.registry.browser.controlpanel import RegistryEditForm
from plone.base import PloneMessageFactory as plone_
from plone.protect import CheckAuthenticator
from plone.z3cform import layout
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from Products.statusmessages.interfaces import IStatusMessage
from z3c.form import button
from zhangdian.approval import _
from zhangdian.approval.accounts.names import person_label
from zhangdian.approval.browser.dates import bureau_time
from zhangdian.approval.errors import ApprovalError
from zhangdian.approval.settings import SIGNING_PREFIX
from zhangdian.approval.settings import ISigningSettings
from zhangdian.approval.settings import describe_anchors
from zhangdian.approval.settings import signing_setting
from zhangdian.approval.settings_changes import confirm_signing_change
from zhangdian.approval.settings_changes import pending_proposals
from zhangdian.approval.settings_changes import propose_signing_change
from zhangdian.approval.settings_changes import withdraw_signing_change
from zhangdian.approval.signing.routes import offered_routes
from zhangdian.approval.signing.routes import signing_routes_vocabulary


class SigningControlPanelForm(RegistryEditForm):
    """Propose a change of the signing settings; another person confirms it."""

    schema = ISigningSettings
    schema_prefix = SIGNING_PREFIX
    id = "approval-signing-controlpanel"
    label = _("Signing settings")
    description = _(
        "help_signing_controlpanel",
        default="Approver certificates must be issued by one of these trust anchors; decisions "
        "signed under an anchor stay verifiable only while it is listed here.",
    )

    @button.buttonAndHandler(_("button_propose_change", default="Propose"), name="save")
    def handleSave(self, action):
        """Store the changed fields as a proposal; nothing is in force yet."""
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            return
        # An empty text field comes back as None where the record holds "": no change.
        changes = {
            name: value
            for name, value in data.items()
            if value != signing_setting(name) and (value or signing_setting(name))
        }
        messages = IStatusMessage(self.request)
        try:
            propose_signing_change(changes)
        except ApprovalError as error:
            messages.add(error.translated(self.request), type="error")
            return
        messages.add(
            _(
                "message_change_proposed",
                default="Change proposed. It takes effect when another person confirms it.",
            ),
            type="info",
        )
        self.request.response.redirect(self.request.getURL())

    @button.buttonAndHandler(plone_("Cancel"), name="cancel")
    def handleCancel(self, action):
        """Back to Site Setup, as Plone's control panels do."""
        RegistryEditForm.handleCancel.func(self, action)


class SigningControlPanel(ControlPanelFormWrapper):
    """The form, with the anchors, the routes and the pending proposals listed above it."""

    form = SigningControlPanelForm
    index = ViewPageTemplateFile("templates/signing_controlpanel.pt")

    def __call__(self):
        """Confirm or withdraw a proposal when one of its buttons was pressed."""
        form = self.request.form
        if self.request.method == "POST" and form.get("proposal"):
            CheckAuthenticator(self.request)
            self._decide(form["proposal"], "form.confirm" in form)
            self.request.response.redirect(self.request.getURL())
            return ""
        return super().__call__()

    def _decide(self, proposal_id, confirm):
        messages = IStatusMessage(self.request)
        try:
            if confirm:
                confirm_signing_change(proposal_id)
            else:
                withdraw_signing_change(proposal_id)
        except ApprovalError as error:
            messages.add(error.translated(self.request), type="error")
            return
        if confirm:
            done = _("message_change_confirmed", default="Change confirmed and in force.")
        else:
            done = _("message_change_withdrawn", default="Proposal withdrawn.")
        messages.add(done, type="info")

    def person(self, userid):
        """The proposer by name and id."""
        return person_label(userid)

    def when(self, moment):
        """A moment in Beijing time."""
        return bureau_time(moment)

    def proposals(self):
        """The pending proposals, with the anchors' fingerprints old → new."""
        return pending_proposals()

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
