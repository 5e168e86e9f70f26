"""PATCH @signing-settings: change some signing settings, all checked before any is stored."""

from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zhangdian.approval.body import json_object
from zhangdian.approval.services.signing_settings.get import signing_settings_answer
from zhangdian.approval.settings import change_signing_settings
from zope.interface import alsoProvides


class SigningSettingsPatch(Service):
    """Body: {setting: value, …} with names of the signing control panel's fields."""

    def reply(self):
        """Store the changes and answer with the settings as they are now."""
        alsoProvides(self.request, IDisableCSRFProtection)
        change_signing_settings(json_object(self.request))
        return signing_settings_answer(self.context, self.request)
