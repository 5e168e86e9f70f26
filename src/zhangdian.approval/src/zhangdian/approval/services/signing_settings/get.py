"""GET @signing-settings: the signing settings, the trust anchors in force and the routes."""

from plone.restapi.services import Service
from zhangdian.approval.settings import ISigningSettings
from zhangdian.approval.settings import describe_anchors
from zhangdian.approval.settings import signing_setting
from zhangdian.approval.signing.routes import offered_routes
from zhangdian.approval.signing.routes import signing_routes_vocabulary
from zope.i18n import translate


def signing_settings_answer(context, request):
    """The body GET and PATCH answer with."""
    offered = offered_routes()
    return {
        "settings": {name: signing_setting(name) for name in ISigningSettings},
        "trust_anchors": describe_anchors(signing_setting("trust_anchors")),
        "timestamp_anchors": describe_anchors(signing_setting("timestamp_anchors")),
        "routes": [
            {
                "name": term.value,
                "title": translate(term.title, context=request),
                "offered": term.value in offered,
            }
            for term in signing_routes_vocabulary(context)
        ],
    }


class SigningSettingsGet(Service):
    """What the signing control panel shows."""

    def reply(self):
        """The settings with the anchors described."""
        return signing_settings_answer(self.context, self.request)
