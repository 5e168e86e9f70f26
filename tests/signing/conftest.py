"""SoftHSM2 tokens, a throw-away bureau CA, a loopback TSA and a one-page PDF for signing tests.

The tokens and the TSA are the suite's (tests/fixtures/signing.py); SoftHSM reads SOFTHSM2_CONF only
when the library is loaded, so the autouse fixture below provisions them before any test signs.
"""

from io import BytesIO
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from tests.helpers.signing import DOCUMENT_SUMMARY
from tests.helpers.signing import TAMPER_MARK
from zhangdian.approval.documents.decision_document import write_signing_summary

import os
import pytest
import shutil
import subprocess


@pytest.fixture(scope="session", autouse=True)
def _keep_functional_session():
    """The signing code is Plone-free: do not set up the suite's Plone layers for it."""


@pytest.fixture(scope="session", autouse=True)
def _keep_integration_session():
    """The signing code is Plone-free: do not set up the suite's Plone layers for it."""


@pytest.fixture(scope="session", autouse=True)
def _tokens_before_any_signature(tokens):
    """SoftHSM reads its configuration once: provision the suite's tokens first."""


def summarised_pdf(summary: dict[str, str]) -> bytes:
    """A one-page PDF whose /Info states `summary` for the agent, as decision documents do."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=0)
    write_signing_summary(canvas, summary)
    canvas.setFont("Helvetica-Bold", 20)
    canvas.drawString(72, 760, "Decision on an administrative licence")
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 720, "Application ZD-2026-000042, matter: food business licence")
    canvas.drawString(72, 700, "Decision: " + TAMPER_MARK.decode())
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.fixture(scope="session")
def decision_pdf() -> bytes:
    """A generic one-page PDF (uncompressed, so a test can change one visible letter)."""
    return summarised_pdf(DOCUMENT_SUMMARY)


@pytest.fixture(scope="session")
def pdf_stating():
    """Make a one-page PDF whose /Info states the given number, matter and decision."""
    return summarised_pdf


@pytest.fixture(scope="session")
def x_display():
    """A private Xvfb X server for the signer's confirmation window; its display name."""
    program = shutil.which("Xvfb")
    if program is None:
        pytest.fail("Xvfb is not installed: run `make system-deps` (Debian xvfb, python3-tk)")
    read_end, write_end = os.pipe()
    # -displayfd: Xvfb picks a free display number and writes it, so parallel runs never clash.
    server = subprocess.Popen(  # noqa: S603 - a fixed program and arguments
        [program, "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", "1024x768x24"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as announced:
        number = announced.readline().strip()
    if not number:
        server.kill()
        pytest.fail(f"Xvfb did not start (exit status {server.wait()})")
    yield f":{number}"
    server.terminate()
    server.wait(10)
