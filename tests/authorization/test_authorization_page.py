"""The authorisation page shows the bound certificate as the working group vets it."""

from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from tests.helpers.approval import RSA_TOKEN
from tests.helpers.approval import bind
from tests.helpers.approval import configure_signing

import requests
import transaction


def page(authorization, language):
    """The authorisation's page as the site owner reads it."""
    return requests.get(
        authorization.absolute_url(),
        auth=(SITE_OWNER_NAME, SITE_OWNER_PASSWORD),
        headers={"Accept-Language": language},
        timeout=30,
    ).text


class TestCertificateDetails:
    def test_unbound_says_so(self, functional_granted):
        assert "尚未绑定签名证书" in page(functional_granted, "zh-CN")

    def test_bound_certificate_details(self, functional_granted, tokens, clock):
        clock("2026-03-02")
        configure_signing(tokens)
        bind(functional_granted, tokens.certs[RSA_TOKEN])
        transaction.commit()
        html = page(functional_granted, "en")
        assert "Bound signing certificate" in html
        assert functional_granted.certificate_fingerprint in html
        assert functional_granted.certificate_serial in html
        assert functional_granted.certificate_not_after.strftime("%Y-%m-%d") in html
        assert "已绑定的签名证书" in page(functional_granted, "zh-CN")
