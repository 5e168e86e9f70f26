"""Journey 5 in a real browser: from the home page, every role reaches its tasks by clicking.

The visitor (search, category, lookup, verify, apply with the matter chosen), the approver
(我的待办, a case), the working group (工作台: roster, renewals, calendar, spot checks, the matter
list) and the supervisor (监督台: a spot check, the assessment, the journal) start at the home
page and never type an address; at phone (390×844) and desktop (1280×800) width, with a
screenshot per step. Nothing may scroll sideways at 360 px on the home page and the desks, and
every page a step shows is measured in Chromium: text at WCAG AA contrast against the colours
the browser computed, every form control labelled.
"""

from tests.browser.conftest import SCREENSHOTS
from tests.browser.conftest import assert_accessible
from tests.helpers.approval import PASSWORD

import pytest


VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
NARROW = {"width": 360, "height": 780}


class Walker:
    """One person's browser at one width, clicking from page to page, a screenshot per step."""

    def __init__(self, chromium, base, role, width):
        self.base, self.role, self.width = base, role, width
        viewport = VIEWPORTS.get(width, NARROW)
        self.context = chromium.new_context(
            viewport=viewport,
            locale="zh-CN",
            extra_http_headers={"Accept-Language": "zh-CN"},
            is_mobile=width != "desktop",
            has_touch=width != "desktop",
        )
        self.context.set_default_timeout(20_000)
        # Logging in renders the desk, which is slow on a loaded machine.
        self.context.set_default_navigation_timeout(60_000)
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def home(self):
        """The home page, the one address anybody types."""
        self.page.goto(self.base)
        return self.page

    def click(self, locator):
        """Click a link or button and wait for the next page."""
        with self.page.expect_navigation():
            locator.first.click()
        assert self.page.locator("#content").count() == 1, self.page.url
        return self.page

    def shot(self, step):
        """Screenshot tests/artefacts/screenshots/desks-<role>-<step>-<width>.png."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"desks-{self.role}-{step}-{self.width}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert not self.errors, self.errors
        assert_accessible(self.page)
        return path

    def no_sideways_scroll(self):
        """Nothing is wider than the screen."""
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.page.viewport_size["width"], (self.page.url, width)

    def log_in(self, userid):
        """From the home page: the log-in link, the form, the button."""
        self.home()
        self.page.locator("#personaltools-login").first.click()
        name = self.page.locator("#__ac_name")
        name.wait_for()
        name.fill(userid)
        password = self.page.locator("#__ac_password")
        password.fill(PASSWORD)
        # Plone opens the form in a modal whose own footer holds the visible button; Enter
        # submits the form either way.
        with self.page.expect_navigation():
            password.press("Enter")
        self.page.wait_for_load_state()
        return self.page

    def menu(self, entry):
        """An entry of the staff menu."""
        return self.click(self.page.locator(f"#staff-{entry}"))

    def close(self):
        """Close the browser context."""
        self.context.close()


@pytest.fixture
def walker(chromium, functional_portal):
    """walker(role, width) -> a Walker; closed after the test."""
    made = []

    def factory(role, width):
        made.append(Walker(chromium, functional_portal.absolute_url(), role, width))
        return made[-1]

    yield factory
    for one in made:
        one.close()


@pytest.fixture
def year(functional_decided_year, clock):
    """The decided year, in March 2026."""
    clock("2026-03-20")
    return functional_decided_year


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_visitor(walker, year, width):
    """Search, a category, the lookup, verification, and applying with the matter chosen."""
    person = walker("visitor", width)
    page = person.home()
    assert page.locator("#task-apply").is_visible()
    person.shot("home")
    page.locator("#front-search").fill("食品")
    person.click(page.locator("form.zd-front-search button[type=submit]"))
    assert page.get_by_role("link", name="食品经营许可（新办）").count() == 1
    assert page.get_by_role("link", name="营业执照注销登记").count() == 0
    person.shot("search")
    person.home()
    person.click(page.locator(".zd-front-categories a", has_text="社会事务"))
    assert page.get_by_role("link", name="民办非企业单位成立登记").count() == 1
    person.shot("category")
    person.home()
    person.click(page.locator("#task-status"))
    assert page.locator("#status-number").is_visible()
    person.shot("status")
    person.home()
    person.click(page.locator("#task-verify"))
    assert page.locator("#verify-file").is_visible()
    person.shot("verify")
    person.home()
    person.click(page.locator("#task-matters"))
    person.click(page.get_by_role("link", name="食品经营许可（新办）"))
    person.shot("matter")
    person.click(page.locator("#matter-apply"))
    # Visitors log in first, then land on the form with the matter filled in.
    page.locator("#__ac_name").fill("member")
    page.locator("#__ac_password").fill(PASSWORD)
    person.click(page.locator("#buttons-login"))
    assert page.locator("#form-widgets-matter").input_value() == "XK-T-001"
    person.shot("apply")
    assert page.locator("#edit-zone").count() == 0


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_approver(walker, year, width, functional_portal):
    """Login lands on 我的待办; the open case is one click away."""
    person = walker("approver", width)
    page = person.log_in("approver1")
    assert page.url.endswith("/@@approval-queue")
    person.shot("desk")
    person.click(page.get_by_role("link", name=year.open_case))
    assert year.open_case in page.locator("#content").inner_text()
    person.shot("case")
    person.menu("my-tasks")
    assert page.url.endswith("/@@approval-queue")
    assert page.locator("#edit-zone").count() == 0


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_working_group(walker, year, width):
    """Login lands on 工作台; roster, renewals, calendar, spot checks, matters."""
    person = walker("workgroup", width)
    page = person.log_in("workgroup")
    assert page.url.endswith("/@@workbench")
    person.shot("desk")
    person.click(page.locator("#desk-roster tbody a"))
    assert page.locator("#zd-object-actions").is_visible()
    person.shot("authorization")
    person.menu("workbench")
    person.click(page.locator("#desk-dashboard"))
    person.shot("renewals")
    person.menu("workbench")
    person.click(page.locator("#desk-calendar-panel"))
    person.shot("calendar")
    person.menu("workbench")
    person.click(page.locator("#desk-spot-checks a", has_text="2026年第一季度抽查"))
    person.shot("spot-check")
    person.menu("workbench")
    person.click(page.locator("#desk-matter-list"))
    person.shot("matter-list")
    person.menu("workbench")
    person.click(page.locator("#desk-matters-import"))
    person.shot("matters-import")
    person.menu("roster")
    person.shot("roster")
    person.menu("assessment")
    assert page.locator("table.zd-assessment").is_visible()
    assert page.locator("#edit-zone").count() == 0


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_supervisor(walker, year, width):
    """Login lands on 监督台; a spot check's findings, a new call-back, the assessment, the journal."""
    person = walker("supervisor", width)
    page = person.log_in("supervisor")
    assert page.url.endswith("/@@supervision-desk")
    assert "超期办结" in page.locator("#desk-spot-checks").inner_text()
    person.shot("desk")
    person.click(page.locator("#desk-spot-checks a", has_text="2026年第一季度抽查"))
    person.shot("spot-check")
    person.menu("supervision")
    person.click(page.locator("#desk-add-callback"))
    assert page.locator("form").count() >= 1
    person.shot("callback-form")
    person.menu("supervision")
    person.click(page.locator("#desk-assessment-link"))
    assert page.locator("table.zd-assessment").is_visible()
    person.shot("assessment")
    person.menu("journal")
    assert page.locator("table.zd-journal").is_visible()
    person.shot("journal")
    assert page.locator("#edit-zone").count() == 0


@pytest.mark.parametrize(
    "role, userid",
    [
        ("visitor", None),
        ("approver", "approver1"),
        ("workgroup", "workgroup"),
        ("supervisor", "supervisor"),
    ],
)
def test_nothing_scrolls_sideways_at_360(walker, year, role, userid):
    """The home page and the role's desk fit a 360 px screen."""
    person = walker(role, "narrow")
    page = person.log_in(userid) if userid else person.home()
    page.wait_for_load_state("networkidle")
    person.no_sideways_scroll()
    person.shot("360")
    if userid:
        person.home()
        page.wait_for_load_state("networkidle")
        person.no_sideways_scroll()
