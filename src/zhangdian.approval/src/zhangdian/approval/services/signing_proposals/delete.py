"""DELETE @signing-proposals: withdraw a proposed signing-settings change."""

from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zhangdian.approval.body import json_object
from zhangdian.approval.body import text_field
from zhangdian.approval.settings_changes import withdraw_signing_change
from zope.interface import alsoProvides


class SigningProposalsDelete(Service):
    """Body: id (of the proposal), reason."""

    def reply(self):
        """Drop the proposal; answer it with who withdrew it."""
        alsoProvides(self.request, IDisableCSRFProtection)
        data = json_object(self.request)
        return withdraw_signing_change(
            text_field(data, "id", limit=40), text_field(data, "reason", required=False)
        )
