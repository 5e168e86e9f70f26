"""People by name and Beijing time with four-digit years on the staff pages of a decided case."""

from plone import api
from tests.desks.test_desks import browser
from zhangdian.approval.casework.public import find_application
from zhangdian.approval.clock import BUREAU_TIMEZONE

import pytest
import re
import transaction


# A US clock, a two-digit year (1/2/26, 26-1-2) or a time with seconds/zone suffix.
US_CLOCK = re.compile(r"\d{1,2}:\d{2}\s*(AM|PM|上午|下午)", re.IGNORECASE)
TWO_DIGIT_YEAR = re.compile(
    r"(?<![\d/.-])\d{1,2}/\d{1,2}/\d{2}(?![\d/])|(?<![\w-])\d{2}-\d{1,2}-\d{1,2}(?![\d-])"
)
UTC_TIME = re.compile(r"\d{2}:\d{2}(:\d{2})? ?(UTC|GMT|\+00:00)")


@pytest.fixture
def named(functional_portal, functional_decided_year, clock):
    """The decided year with approver1 named 张三, seen in May 2026."""
    with api.env.adopt_roles(["Manager"]):
        api.user.get(userid="approver1").setMemberProperties({"fullname": "张三"})
    transaction.commit()
    clock("2026-05-04")
    return functional_decided_year


def assert_human_times(html):
    """No 12-hour clock, no two-digit year, no UTC time on the page."""
    assert not US_CLOCK.search(html), US_CLOCK.search(html).group()
    assert not TWO_DIGIT_YEAR.search(html), TWO_DIGIT_YEAR.search(html).group()
    assert not UTC_TIME.search(html), UTC_TIME.search(html).group()


def section(html, marker):
    """The part of the page from `marker` to the end of its section."""
    return html.split(marker, 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("userid", ["approver1", "auditor"])
def test_case_page(functional_portal, named, language, userid):
    """The decision and the history name 张三 (approver1), in Beijing time, no action ids."""
    application = find_application(named.approved[1])
    decided_at = application.decided_at.astimezone(BUREAU_TIMEZONE).strftime("%Y-%m-%d %H:%M")
    html = browser(userid, language).get(application.absolute_url(), timeout=60).text
    assert f"{decided_at}\n" in html or f"{decided_at} " in html
    assert "张三 (approver1)" in html
    history = section(html, 'class="zd-history"')
    assert "张三 (approver1)" in history
    assert not re.search(r">\s*(approve|accept|refuse|submit)\s*<", history)
    assert re.search(r"2026-03-\d{2} \d{2}:\d{2}", history)
    assert_human_times(html)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_journal_and_supervision_desk(functional_portal, named, language):
    """The auditor reads names with ids and action titles; the id stays as data for them."""
    base = functional_portal.absolute_url()
    for view in ("@@audit-journal", "@@supervision-desk"):
        html = browser("auditor", language).get(f"{base}/{view}", timeout=60).text
        assert "张三 (approver1)" in html, view
        assert 'data-action="application.approve"' in html, view
        # The title is shown; the id only as data (and, in the journal, small beside it).
        assert not re.search(r'data-action="application.approve"\s*>\s*application', html)
        assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", html), view
        assert_human_times(html)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_roster_pages(functional_portal, named, language):
    """Workbench, authorisation page and assessment: names and four-digit dates."""
    base = functional_portal.absolute_url()
    workgroup = browser("workgroup", language)
    workbench = workgroup.get(f"{base}/@@workbench", timeout=60).text
    assert "张三" in section(workbench, 'id="desk-roster"')
    assert "2026-12-31" in workbench
    assert_human_times(workbench)
    authorization = workgroup.get(f"{base}/approvers/approver1-2026-01-01", timeout=60)
    assert authorization.status_code == 200
    assert "2026" in authorization.text
    assert_human_times(authorization.text)
    assessment = workgroup.get(f"{base}/@@annual-assessment?year=2026", timeout=60).text
    assert "张三 (approver1)" in assessment
    assert_human_times(assessment)


def test_anonymous_sees_no_journal(functional_portal, named):
    """The journal stays closed to visitors."""
    page = browser().get(
        f"{functional_portal.absolute_url()}/@@audit-journal", allow_redirects=False, timeout=60
    )
    assert page.status_code == 302
