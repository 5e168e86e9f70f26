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
from plone.testing.zope import WSGI_SERVER_FIXTURE


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

INTEGRATION_TESTING = IntegrationTesting(
    bases=(FIXTURE,), name="ZhangdianApprovalLayer:IntegrationTesting"
)

FUNCTIONAL_TESTING = FunctionalTesting(
    bases=(FIXTURE, WSGI_SERVER_FIXTURE), name="ZhangdianApprovalLayer:FunctionalTesting"
)
