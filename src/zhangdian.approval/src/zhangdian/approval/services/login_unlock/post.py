"""POST @login-unlock: the working group lets an account log in again after failed logins."""

from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zhangdian.approval.accounts.throttle import unlock
from zhangdian.approval.body import json_object
from zhangdian.approval.body import text_field
from zope.interface import alsoProvides


class LoginUnlockPost(Service):
    """Body: login (the name typed at login), reason."""

    def reply(self):
        """Clear the account's failures; answer what was cleared."""
        # As plone.restapi's own write services: the JSON API is not a form post.
        alsoProvides(self.request, IDisableCSRFProtection)
        data = json_object(self.request)
        login = text_field(data, "login")
        before = unlock(login, text_field(data, "reason", required=False))
        return {
            "login": login,
            "failures": before["failures"],
            "was_locked": bool(before.get("locked_at")),
        }
