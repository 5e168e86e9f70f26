"""POST @pin-unlock: the working group lets a server token be tried again after wrong PINs."""

from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zhangdian.approval.body import json_object
from zhangdian.approval.body import text_field
from zhangdian.approval.signing.pin_attempts import unlock
from zope.interface import alsoProvides


class PinUnlockPost(Service):
    """Body: label (the token's, i.e. the approver's user id), reason."""

    def reply(self):
        # As plone.restapi's own write services: the JSON API is not a form post.
        alsoProvides(self.request, IDisableCSRFProtection)
        data = json_object(self.request)
        label = text_field(data, "label")
        before = unlock(label, text_field(data, "reason", required=False))
        return {
            "label": label,
            "wrong_pins": before["wrong"],
            "was_locked": bool(before["locked_at"]),
        }
