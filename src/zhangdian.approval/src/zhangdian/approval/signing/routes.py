"""The ways a decision reaches the approver's key, as named utilities the working group offers.

`agent`: zhangdian-signer on the approver's PC opens the USB key; `server`: a PKCS#11 module on
the server (network HSM, server-attached token). The record `signing_routes` says which of the
registered routes the bureau offers; a route is offered only when it is also configured.
"""

from zhangdian.approval import _
from zhangdian.approval.settings import signing_setting
from zope.component import getUtilitiesFor
from zope.component import queryUtility
from zope.interface import Attribute
from zope.interface import Interface
from zope.interface import implementer
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


class ISigningRoute(Interface):
    """One way of reaching an approver's signing key."""

    title = Attribute("The route's name for the working group (translatable)")

    def is_configured():
        """Whether the settings this route needs are present."""


@implementer(ISigningRoute)
class AgentRoute:
    """The signing agent on the approver's PC signs what the portal prepared."""

    title = _("route_agent", default="Signing agent on the approver's PC (USB key)")

    def is_configured(self):
        """The browser must know where the agent listens."""
        return bool(signing_setting("agent_url"))


@implementer(ISigningRoute)
class ServerTokenRoute:
    """The server opens the approver's token through its PKCS#11 module; the PIN is typed in."""

    title = _("route_server", default="Token on the server (PKCS#11 module)")

    def is_configured(self):
        """The server needs the PKCS#11 module's path."""
        return bool(signing_setting("pkcs11_module"))

    def token_label(self, userid):
        """Each approver's token carries their user id as its label."""
        return userid


def signing_route(name):
    """The registered route `name`, or None."""
    return queryUtility(ISigningRoute, name=name)


def offered_routes():
    """The routes approvers may use now: listed in the record, registered and configured."""
    offered = []
    for name in signing_setting("signing_routes") or ():
        route = signing_route(name)
        if route is not None and route.is_configured():
            offered.append(name)
    return offered


def is_offered(name):
    """Whether the bureau offers route `name` and it is configured."""
    return name in offered_routes()


@provider(IVocabularyFactory)
def signing_routes_vocabulary(context):
    """Every registered signing route."""
    terms = [
        SimpleTerm(name, name, route.title)
        for name, route in sorted(getUtilitiesFor(ISigningRoute))
    ]
    return SimpleVocabulary(terms)
