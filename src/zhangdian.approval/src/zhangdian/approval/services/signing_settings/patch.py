"""PATCH @signing-settings: propose a change of the signing settings (four eyes).

The values are checked like the settings, then stored as a proposal that a different person
confirms with POST @signing-proposals; nothing is in force before that, hence 202.
"""

from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zhangdian.approval.body import json_object
from zhangdian.approval.settings_changes import propose_signing_change
from zope.interface import alsoProvides


class SigningSettingsPatch(Service):
    """Body: {setting: value, …} with names of the signing control panel's fields."""

    def reply(self):
        """Store the proposal and answer it with 202 Accepted."""
        alsoProvides(self.request, IDisableCSRFProtection)
        proposed = propose_signing_change(json_object(self.request))
        self.request.response.setStatus(202)
        return proposed
