"""POST @signing-proposals: confirm a proposed signing-settings change (not one's own)."""

from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zhangdian.approval.body import json_object
from zhangdian.approval.body import text_field
from zhangdian.approval.settings_changes import confirm_signing_change
from zope.interface import alsoProvides


class SigningProposalsPost(Service):
    """Body: id (of the proposal)."""

    def reply(self):
        """Apply the proposal; answer it with who confirmed it and when."""
        alsoProvides(self.request, IDisableCSRFProtection)
        data = json_object(self.request)
        return confirm_signing_change(text_field(data, "id", limit=40))
