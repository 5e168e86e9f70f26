"""SoftHSM2 tokens, a throw-away bureau CA, a loopback TSA and a one-page PDF for signing tests.

SoftHSM reads SOFTHSM2_CONF only when the library is loaded, so the session fixture below is
autouse: it points the variable at a temporary token directory before any test signs.
"""

from dataclasses import dataclass
from io import BytesIO
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from signing_fixtures import EC_TOKEN
from signing_fixtures import LIBRARY
from signing_fixtures import PIN
from signing_fixtures import RSA_TOKEN
from signing_fixtures import SO_PIN
from signing_fixtures import TAMPER_MARK
from zhangdian.approval.certificates import make_ca
from zhangdian.approval.signing import softhsm
from zhangdian.approval.signing.timestamps import serve_tsa

import os
import pytest
import shutil


@dataclass(frozen=True)
class Tokens:
    """The provisioned tokens and the CA that issued their certificates."""

    config: str
    ca_cert: object
    ca_key: object
    rsa_cert: object
    ec_cert: object


@pytest.fixture(scope="session", autouse=True)
def _keep_functional_session():
    """The signing code is Plone-free: do not set up the suite's Plone layers for it."""


@pytest.fixture(scope="session", autouse=True)
def _keep_integration_session():
    """The signing code is Plone-free: do not set up the suite's Plone layers for it."""


@pytest.fixture(scope="session", autouse=True)
def tokens(tmp_path_factory) -> Tokens:
    """Tokens approver1 (RSA-2048) and approver2 (EC P-256) with certificates from a test CA."""
    if shutil.which(softhsm.SOFTHSM_UTIL) is None or not os.path.exists(LIBRARY):
        pytest.fail(
            "SoftHSM2 (softhsm2-util, libsofthsm2.so) is not installed: run `make system-deps`",
            pytrace=False,
        )
    config = softhsm.write_config(tmp_path_factory.mktemp("softhsm"))
    softhsm.activate(config)
    ca_cert, ca_key = make_ca()
    rsa_cert = softhsm.provision_token(
        config, RSA_TOKEN, PIN, SO_PIN, "李明", ca_cert, ca_key, "RSA"
    )
    ec_cert = softhsm.provision_token(config, EC_TOKEN, PIN, SO_PIN, "王芳", ca_cert, ca_key, "EC")
    return Tokens(str(config), ca_cert, ca_key, rsa_cert, ec_cert)


@pytest.fixture(scope="session")
def tsa_url(tokens):
    """The URL of a loopback RFC 3161 TSA whose certificate the test CA issued."""
    server, url = serve_tsa(tokens.ca_cert, tokens.ca_key)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def decision_pdf() -> bytes:
    """A generic one-page PDF (uncompressed, so a test can change one visible letter)."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=0)
    canvas.setFont("Helvetica-Bold", 20)
    canvas.drawString(72, 760, "Decision on an administrative licence")
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 720, "Application ZD-2026-000042, matter: food business licence")
    canvas.drawString(72, 700, "Decision: " + TAMPER_MARK.decode())
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
