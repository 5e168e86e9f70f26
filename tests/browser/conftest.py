"""A real headless Chromium (Debian's, driven by Playwright) in front of the functional portal.

The portal is plone.testing's WSGI server in this process: whatever a test creates must be
committed before the browser sees it, and `transaction.begin()` comes before reading what the
browser changed.
"""

from pathlib import Path
from playwright.sync_api import sync_playwright
from tests.helpers.approval import PASSWORD

import os
import pytest


CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artefacts" / "screenshots"

# The approvers' mobile terminal and an office desktop.
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
# Playwright locale -> the language tag used in screenshot names.
LANGUAGES = {"zh-CN": "zh", "en": "en"}
# Computes, in the page, each visible text's contrast and each control's label (see the file).
ACCESSIBILITY = (Path(__file__).parent / "accessibility.js").read_text(encoding="utf-8")


# Controls Plone renders without a label, not ours to mend without forking its template.
UPSTREAM_UNLABELLED = {
    # plone.formwidget.namedfile, edit mode: the replacement file input is `<id>-input` while
    # the field's label names `<id>`; the "Replace with new file" radio just before it is named.
    "form-widgets-certificate-input",
}


def assert_accessible(page):
    """Every visible text at WCAG AA contrast (4.5:1, large 3:1); every form control labelled."""
    problems = [
        problem
        for problem in page.evaluate(ACCESSIBILITY)
        if problem.get("id") not in UPSTREAM_UNLABELLED
    ]
    assert not problems, (page.url, problems)


@pytest.fixture(scope="module")
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


class Person:
    """One person's browser: a context per width and language, each logged in alike."""

    def __init__(self, browser, base, journey, userid=None):
        self.browser = browser
        self.base = base
        self.journey = journey
        self.userid = userid
        self.contexts = []
        self.pages = {}

    def page(self, width="desktop", language="zh-CN"):
        """The page of this person at a width, in a language (logged in on first use)."""
        if (width, language) not in self.pages:
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
            if self.userid:
                log_in(page, self.base, self.userid)
            self.pages[width, language] = page
        return self.pages[width, language]

    # Journey 1 opens a fresh page per combination with `context`.
    context = page

    def all(self):
        """Every (width, language) pair."""
        return [(w, lang) for w in WIDTHS for lang in LANGUAGES]

    def shot(self, page, step):
        """Save a full-page screenshot journey-step-width-language.png (no script errors)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = f"{self.journey}-{step}-{page.zd_width}-{LANGUAGES[page.zd_language]}.png"
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        assert not page.zd_errors, page.zd_errors
        assert_accessible(page)
        return name

    def tour(self, url, step, check):
        """Open `url` at every width and language, run check(page, language), screenshot."""
        for width, language in self.all():
            page = self.page(width, language)
            page.goto(url)
            check(page, language)
            # Nothing wider than the screen, phone included.
            assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
            self.shot(page, step)

    def close(self):
        """Close every context."""
        for context in self.contexts:
            context.close()


@pytest.fixture
def visitor(chromium, functional_portal, request):
    """visitor(userid=None): a Person for the journey of the requesting test module."""
    made = []
    journey = request.module.__name__.rsplit("_", 1)[-1]

    def factory(userid=None):
        person = Person(chromium, functional_portal.absolute_url(), journey, userid)
        made.append(person)
        return person

    yield factory
    for person in made:
        person.close()


def log_in(page, base, userid, password=PASSWORD):
    """Log in through Plone's login form, as a person would."""
    page.goto(f"{base}/login")
    page.locator("#__ac_name").fill(userid)
    page.locator("#__ac_password").fill(password)
    with page.expect_navigation():
        page.locator("#LoginForm #buttons-login").click()
    assert page.locator("#__ac_password").count() == 0, f"{userid} could not log in"
