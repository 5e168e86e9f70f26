"""Test layers: a real Plone site with zhangdian.approval installed; test and demo doubles beside.

`pki` (a throw-away CA), `tsa` (a loopback RFC 3161 TSA), `softhsm` (SoftHSM2 tokens) and
`demo_pki` (the demo's tokens and bindings) serve tests, benchmarks and the demo only; the
portal never imports them.
"""

from plone.app.contenttypes.testing import PLONE_APP_CONTENTTYPES_FIXTURE
from plone.app.testing import FunctionalTesting
from plone.app.testing import IntegrationTesting
from plone.app.testing import PloneSandboxLayer
from plone.app.testing import applyProfile
from plone.testing.zope import WSGIServer


class Layer(PloneSandboxLayer):
    """zhangdian.approval installed on a zh-CN Plone site."""

    defaultBases = (PLONE_APP_CONTENTTYPES_FIXTURE,)

    def setUpZope(self, app, configurationContext):
        """Load our ZCML."""
        import plone.restapi
        import zhangdian.approval

        self.loadZCML(package=plone.restapi)
        self.loadZCML(package=zhangdian.approval)

    def setUpPloneSite(self, portal):
        """Install the add-on."""
        applyProfile(portal, "zhangdian.approval:default")


FIXTURE = Layer()


class BrowserReadyWSGIServer(WSGIServer):
    """plone.testing's WSGI server, open to as many connections as a browser journey holds."""

    # A Chromium context keeps up to six connections to the portal and its service worker six
    # more (the shell is fetched without credentials, from a pool of its own); a journey holds
    # twelve contexts. Past waitress's default of 100 the server stops accepting and a page
    # waits until its timeout, with the server idle.
    connection_limit = 1000

    def setUpServer(self):
        """Start the server, then raise its connection limit."""
        super().setUpServer()
        self.server.adj.connection_limit = self.connection_limit


WSGI_SERVER = BrowserReadyWSGIServer(name="ZhangdianApprovalLayer:WSGIServer")

INTEGRATION_TESTING = IntegrationTesting(
    bases=(FIXTURE,), name="ZhangdianApprovalLayer:IntegrationTesting"
)

FUNCTIONAL_TESTING = FunctionalTesting(
    bases=(FIXTURE, WSGI_SERVER), name="ZhangdianApprovalLayer:FunctionalTesting"
)
