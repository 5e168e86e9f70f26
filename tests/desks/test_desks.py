"""The public front, the desks, the staff menu, login landing and the bureau's look, over HTTP."""

from plone import api
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import act
from tests.helpers.approval import register_application_as
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.casework.public import find_application

import pytest
import re
import requests
import transaction


def browser(userid=None, language="zh-CN"):
    """A page session of `userid` (anonymous for None)."""
    session = requests.Session()
    session.headers.update({"Accept": "text/html", "Accept-Language": language})
    if userid:
        session.auth = (userid, PASSWORD)
    return session


def ids(html, prefix):
    """The ids starting with `prefix` on a page."""
    return set(re.findall(rf'id="({prefix}[\w-]*)"', html))


@pytest.fixture
def year(functional_portal, functional_decided_year, clock):
    """The decided year, seen in March 2026 (its cases fall in that month)."""
    clock("2026-03-20")
    return functional_decided_year


class TestFrontPage:
    """The home page of the portal is the bureau's front."""

    def test_visitor_sees_every_service(self, functional_portal, year):
        """Search, categories with counts, lookup, apply, verify, figures, contact."""
        base = functional_portal.absolute_url()
        page = browser().get(base, timeout=60)
        assert page.status_code == 200
        html = page.text
        assert f'action="{base}/matters/@@matter-list"' in html
        assert 'name="q"' in html
        assert ids(html, "task-") == {"task-matters", "task-status", "task-apply", "task-verify"}
        categories = re.findall(
            r'<a href="[^"]+/matters/(\w+)">([^<]+)</a>\s*<span[^>]*>(\d+)<', html
        )
        assert categories == [("jmss", "经贸商事", "2"), ("shsw", "社会事务", "1")]
        # March 2026: three decided, two of three by their due date.
        assert re.search(r'zd-figure-decided">\s*3\s*<', html)
        assert re.search(r'zd-figure-on-time">\s*66.7 %\s*<', html)
        assert "0533-12345" in html
        assert "淄博市张店区行政审批服务局" in html

    def test_in_english(self, functional_portal, year):
        """The same page for a browser that asks for English."""
        html = browser(language="en").get(functional_portal.absolute_url(), timeout=60).text
        assert "Look up an application" in html
        assert "Window hours" in html

    def test_figures_of_another_month(self, functional_portal, year, clock):
        """April: nothing decided, no rate to show."""
        clock("2026-04-20")
        html = browser().get(functional_portal.absolute_url(), timeout=60).text
        assert re.search(r'zd-figure-decided">\s*0\s*<', html)
        assert re.search(r'zd-figure-on-time">\s*—\s*<', html)

    def test_no_plone_branding(self, functional_portal, year):
        """No Plone logo, no Powered by Plone, no GPL notice, no byline, for any reader."""
        base = functional_portal.absolute_url()
        for userid in (None, "member", "siteadmin"):
            for url in (base, f"{base}/matters/jmss/xk-t-001"):
                html = browser(userid).get(url, timeout=60).text
                assert not re.search(r"<img[^>]+logo", html)
                assert "Powered by Plone" not in html and "GNU GPL" not in html
                assert "documentByLine" not in html
                assert "zd-bureau-name" in html and "zd-bureau-footer" in html


class TestApplyFromTheMatter:
    """在线申报 on a matter opens the form with the matter chosen."""

    def test_button_opens_the_form_with_the_matter(self, functional_portal, functional_matter_list):
        """The link carries the code; the member's add form shows it in the matter field."""
        base = functional_portal.absolute_url()
        html = browser().get(f"{base}/matters/jmss/xk-t-001", timeout=60).text
        link = re.search(
            r'id="matter-apply"\s+href="([^"]+)"|href="([^"]+)"\s+id="matter-apply"', html
        )
        assert link
        url = (link.group(1) or link.group(2)).replace("&amp;", "&")
        assert url == f"{base}/applications/++add++Application?matter=XK-T-001"
        form = browser("member").get(url, timeout=60)
        assert form.status_code == 200
        assert re.search(r'name="form.widgets.matter"[^>]*value="XK-T-001"', form.text)

    def test_no_button_where_no_application_is_taken(
        self, functional_portal, functional_matter_list
    ):
        """A suspended matter (readable for history) offers no application."""
        html = (
            browser("workgroup")
            .get(f"{functional_portal.absolute_url()}/matters/jmss/xk-t-004", timeout=60)
            .text
        )
        assert "matter-apply" not in html


class TestVerifyPage:
    """决定书验证: anyone uploads a PDF and learns what it proves."""

    def test_a_real_decision_verifies(self, functional_portal, year):
        """The approved case's signed PDF: valid and matching the record."""
        transaction.begin()
        application = find_application(year.approved[0])
        pdf = application.decision_document.data
        url = f"{functional_portal.absolute_url()}/@@verify-decision"
        page = browser().post(
            url, files={"file": ("decision.pdf", pdf, "application/pdf")}, timeout=60
        )
        assert page.status_code == 200
        assert "zd-verify-ok" in page.text
        assert year.approved[0] in page.text

    def test_anything_else_does_not(self, functional_portal, year):
        """A changed or foreign file is not confirmed, the page says so, nothing is stored."""
        transaction.begin()
        entries = journal().length
        url = f"{functional_portal.absolute_url()}/@@verify-decision"
        page = browser().post(
            url, files={"file": ("x.pdf", b"%PDF-1.7 nothing", "application/pdf")}, timeout=60
        )
        assert page.status_code == 200
        assert "zd-verify-ok" not in page.text
        assert "zd-verify-bad" in page.text
        transaction.begin()
        assert journal().length == entries

    def test_the_form(self, functional_portal):
        """GET shows the upload form with its label."""
        page = browser().get(f"{functional_portal.absolute_url()}/@@verify-decision", timeout=60)
        assert page.status_code == 200
        assert 'for="verify-file"' in page.text


class TestDesks:
    """Each desk shows its role's work; everyone else is refused."""

    def test_workbench(self, functional_portal, year):
        """Roster, renewals, calendar, stranded cases, spot checks, call-backs, matter list."""
        stranded = register_application_as(functional_portal, "member", "XK-T-101")
        transaction.commit()
        html = (
            browser("workgroup")
            .get(f"{functional_portal.absolute_url()}/@@workbench", timeout=60)
            .text
        )
        roster = html.split('id="desk-roster"', 1)[1].split("</section>", 1)[0]
        assert "approver1" in roster and "经贸商事" in roster and "2026-12-31" in roster
        stuck = html.split('id="desk-stranded"', 1)[1].split("</section>", 1)[0]
        assert stranded.number in stuck and year.open_case not in stuck
        checks = html.split('id="desk-spot-checks"', 1)[1].split("</section>", 1)[0]
        assert "2026年第一季度抽查" in checks and "超期办结" in checks
        assert "回访：超期办结" in html
        assert ids(html, "desk-") >= {
            "desk-add-authorization",
            "desk-dashboard",
            "desk-calendar-panel",
            "desk-add-spot-check",
            "desk-matter-list",
            "desk-matters-import",
        }
        # Supervisors record call-backs (rules/oversight.py), so the working group has no link.
        assert "desk-add-callback" not in ids(html, "desk-")

    @pytest.mark.parametrize("userid", ["supervisor", "auditor"])
    def test_supervision_desk(self, functional_portal, year, clock, userid):
        """Overdue cases, spot checks with findings, complaints, the journal, the assessment."""
        application = find_application(year.open_case)
        act(functional_portal, application, "accept", "approver1")
        transaction.commit()
        clock("2026-05-04")
        html = (
            browser(userid)
            .get(f"{functional_portal.absolute_url()}/@@supervision-desk", timeout=60)
            .text
        )
        overdue = html.split('id="desk-overdue"', 1)[1].split("</section>", 1)[0]
        assert year.open_case in overdue
        assert "超期办结" in html
        complaints = html.split('id="desk-complaints"', 1)[1].split("</section>", 1)[0]
        assert "回访：超期办结" in complaints
        assert 'data-action="spotcheck.problem"' in html
        assert {"desk-journal-link", "desk-assessment-link"} <= ids(html, "desk-")
        # Only the supervisor records call-backs; the auditor reads them.
        assert ("desk-add-callback" in ids(html, "desk-")) == (userid == "supervisor")

    @pytest.mark.parametrize(
        "view, allowed",
        [
            ("workbench", {"workgroup"}),
            ("supervision-desk", {"supervisor", "auditor", "siteadmin"}),
        ],
    )
    def test_who_opens_a_desk(self, functional_portal, year, view, allowed):
        """Every other role gets the login form, nothing of the desk; nothing is journaled."""
        transaction.begin()
        entries = journal().length
        url = f"{functional_portal.absolute_url()}/@@{view}"
        for userid in (
            None,
            "member",
            "approver1",
            "workgroup",
            "supervisor",
            "auditor",
            "siteadmin",
        ):
            page = browser(userid).get(url, allow_redirects=False, timeout=60)
            if userid in allowed:
                assert page.status_code == 200, (view, userid)
            else:
                assert page.status_code == 302, (view, userid)
                assert "require_login" in page.headers["Location"]
        transaction.begin()
        assert journal().length == entries


# The staff menu of each role: its entries, by permission (and the roster for approvers).
MENUS = {
    None: set(),
    "member": {"staff-applications", "staff-logout"},
    "approver1": {"staff-my-tasks", "staff-applications", "staff-logout"},
    "workgroup": {
        "staff-workbench",
        "staff-roster",
        "staff-applications",
        "staff-assessment",
        "staff-logout",
    },
    "supervisor": {"staff-supervision", "staff-assessment", "staff-journal", "staff-logout"},
    "auditor": {"staff-supervision", "staff-assessment", "staff-journal", "staff-logout"},
}


@pytest.mark.parametrize("userid", list(MENUS))
def test_staff_menu(functional_portal, year, userid):
    """Each role's menu holds exactly the pages it may open, on every page."""
    base = functional_portal.absolute_url()
    for url in (base, f"{base}/matters", f"{base}/@@application-status"):
        html = browser(userid).get(url, timeout=60).text
        assert ids(html, "staff-") == MENUS[userid], url


# Where login lands from the home page.
LANDING = {
    "approver1": "@@approval-queue",
    "workgroup": "@@workbench",
    "supervisor": "@@supervision-desk",
    "auditor": "@@supervision-desk",
    "member": "",
}


@pytest.mark.parametrize("userid", list(LANDING))
def test_login_lands_on_the_desk(functional_portal, year, userid):
    """Plone's login form, from the home page, redirects to the role's desk."""
    base = functional_portal.absolute_url()
    session = requests.Session()
    page = session.post(
        f"{base}/login",
        data={
            "__ac_name": userid,
            "__ac_password": PASSWORD,
            "came_from": base,
            "buttons.login": "Log in",
        },
        allow_redirects=False,
        timeout=60,
    )
    assert page.status_code == 302
    expected = f"{base}/{LANDING[userid]}" if LANDING[userid] else base
    assert page.headers["Location"].rstrip("/") == expected.rstrip("/")


def test_login_keeps_a_page_asked_for(functional_portal, year):
    """Someone sent to log in on the way to a page gets that page, not the desk."""
    base = functional_portal.absolute_url()
    page = requests.post(
        f"{base}/login",
        data={
            "__ac_name": "workgroup",
            "__ac_password": PASSWORD,
            "came_from": f"{base}/matters",
            "buttons.login": "Log in",
        },
        allow_redirects=False,
        timeout=60,
    )
    assert page.headers["Location"] == f"{base}/matters"


@pytest.mark.parametrize(
    "userid, toolbar",
    [
        ("member", False),
        ("approver1", False),
        ("workgroup", False),
        ("supervisor", False),
        ("auditor", False),
        ("siteadmin", True),
    ],
)
def test_toolbar_only_for_site_managers(functional_portal, year, userid, toolbar):
    """Plone's editing toolbar: Site Administrator and Manager only."""
    html = browser(userid).get(f"{functional_portal.absolute_url()}/matters", timeout=60).text
    assert ('id="edit-zone"' in html) is toolbar


def test_actions_without_the_toolbar(functional_portal, year):
    """The working group edits and moves our content from the page itself."""
    base = functional_portal.absolute_url()
    html = browser("workgroup").get(f"{base}/matters/jmss/xk-t-001", timeout=60).text
    assert {"zd-edit", "zd-transition-suspend"} <= ids(html, "zd-")
    html = browser("workgroup").get(f"{base}/approvers", timeout=60).text
    assert "zd-add-ApproverAuthorization" in ids(html, "zd-")
    html = browser("member").get(f"{base}/matters/jmss/xk-t-001", timeout=60).text
    assert "zd-object-actions" not in html
    transaction.begin()
    assert api.content.get_state(functional_portal["matters"]["jmss"]["xk-t-001"]) == "published"
