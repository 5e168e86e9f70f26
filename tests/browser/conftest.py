"""A real headless Chromium (Debian's, driven by Playwright) in front of the functional portal.

The portal is plone.testing's WSGI server in this process: whatever a test creates must be
committed before the browser sees it, and `transaction.begin()` comes before reading what the
browser changed.
"""

from approval_testing import LIBRARY
from approval_testing import PASSWORD
from approval_testing import PIN
from approval_testing import RSA_TOKEN
from pathlib import Path
from playwright.sync_api import sync_playwright
from urllib.parse import urlsplit
from zhangdian.approval.signing.agent import create_server

import os
import pytest
import threading


CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artefacts" / "screenshots"

# The approvers' mobile terminal and an office desktop.
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
# Playwright locale -> the language tag used in screenshot names.
LANGUAGES = {"zh-CN": "zh", "en": "en"}


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, headless; never a downloaded browser."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: `make test` installs the Debian package", pytrace=False)
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*args, "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


class Visitor:
    """One person's browser contexts: one per width and language, logged in alike."""

    def __init__(self, browser, base, journey):
        self.browser = browser
        self.base = base
        self.journey = journey
        self.contexts = []

    def context(self, width="desktop", language="zh-CN"):
        """A new browser context (cookies of its own) at a width, in a language."""
        context = self.browser.new_context(
            viewport=WIDTHS[width],
            locale=language,
            extra_http_headers={"Accept-Language": language},
            is_mobile=width == "phone",
            has_touch=width == "phone",
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        page.zd_width, page.zd_language = width, language
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.zd_errors = errors
        return page

    def all(self):
        """Every (width, language) pair."""
        return [(w, lang) for w in WIDTHS for lang in LANGUAGES]

    def shot(self, page, step):
        """Save a full-page screenshot journey-step-width-language.png."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = f"{self.journey}-{step}-{page.zd_width}-{LANGUAGES[page.zd_language]}.png"
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        assert not page.zd_errors, page.zd_errors
        return name

    def close(self):
        """Close every context."""
        for context in self.contexts:
            context.close()


@pytest.fixture
def visitor(chromium, functional_portal, request):
    """Factory of Visitors for the journey of the requesting test module."""
    made = []
    journey = request.module.__name__.rsplit("_", 1)[-1]

    def factory():
        visitor = Visitor(chromium, functional_portal.absolute_url(), journey)
        made.append(visitor)
        return visitor

    yield factory
    for visitor in made:
        visitor.close()


def log_in(page, base, userid, password=PASSWORD):
    """Log in through Plone's login form, as a person would."""
    page.goto(f"{base}/login")
    page.locator("#__ac_name").fill(userid)
    page.locator("#__ac_password").fill(password)
    page.locator(
        "form#login_form button[type=submit], form#login_form input[type=submit]"
    ).first.click()
    page.wait_for_load_state()


@pytest.fixture
def agent(tokens, functional_portal):
    """zhangdian-signer in front of approver1's token, allowing the test portal's origin.

    The agent's PIN prompt is answered from the environment (--pin-env), its confirmation by
    --yes, as in tests/application/test_application_decision.py.
    """
    parts = urlsplit(functional_portal.absolute_url())
    origin = f"{parts.scheme}://{parts.netloc}"
    patch = pytest.MonkeyPatch()
    patch.setenv("ZD_TEST_AGENT_PIN", PIN)
    server = create_server(
        [
            "--module",
            LIBRARY,
            "--token-label",
            RSA_TOKEN,
            "--port",
            "0",
            "--allow-origin",
            origin,
            "--pin-env",
            "ZD_TEST_AGENT_PIN",
            "--yes",
        ]
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    server.server_close()
    patch.undo()
