"""The working-day calendar: installed 2025/2026 schedules and the working group's control panel."""

from AccessControl import Unauthorized
from datetime import date
from datetime import timedelta
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from plone.app.testing import logout
from tests.helpers.approval import PASSWORD
from tests.helpers.calendar import HOLIDAYS_2027
from zhangdian.approval.interfaces import IBrowserLayer
from zhangdian.approval.rules.workdays import parse_days
from zhangdian.approval.workdays import CALENDAR_PREFIX
from zhangdian.approval.workdays import bureau_calendar
from zope.interface import alsoProvides

import html
import pytest
import re
import requests


VIEW = "@@approval-calendar-controlpanel"


def days(first, last):
    """Every day from `first` to `last` (YYYY-MM-DD), both included."""
    day, end = date.fromisoformat(first), date.fromisoformat(last)
    return {day + timedelta(days=n) for n in range((end - day).days + 1)}


# 国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04.
HOLIDAYS_2026 = (
    days("2026-01-01", "2026-01-03")
    | days("2026-02-15", "2026-02-23")
    | days("2026-04-04", "2026-04-06")
    | days("2026-05-01", "2026-05-05")
    | days("2026-06-19", "2026-06-21")
    | days("2026-09-25", "2026-09-27")
    | days("2026-10-01", "2026-10-07")
)
MAKEUP_2026 = {
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
}
# 国务院办公厅关于2025年部分节假日安排的通知, 2024-11-12.
HOLIDAYS_2025 = (
    {date(2025, 1, 1)}
    | days("2025-01-28", "2025-02-04")
    | days("2025-04-04", "2025-04-06")
    | days("2025-05-01", "2025-05-05")
    | days("2025-05-31", "2025-06-02")
    | days("2025-10-01", "2025-10-08")
)
MAKEUP_2025 = {
    date(2025, 1, 26),
    date(2025, 2, 8),
    date(2025, 4, 27),
    date(2025, 9, 28),
    date(2025, 10, 11),
}


def record(name):
    """The parsed days of one calendar record."""
    return parse_days(api.portal.get_registry_record(f"{CALENDAR_PREFIX}.{name}"))


class TestInstalledCalendar:
    """The profile registers the State Council's schedules."""

    def test_holidays_2026(self, portal):
        holidays = record("holidays")
        assert {day for day in holidays if day.year == 2026} == HOLIDAYS_2026
        assert holidays[date(2026, 2, 17)] == "春节"
        assert holidays[date(2026, 9, 25)] == "中秋节"
        assert holidays[date(2026, 10, 1)] == "国庆节"

    def test_makeup_workdays_2026(self, portal):
        makeup = record("makeup_workdays")
        assert {day for day in makeup if day.year == 2026} == MAKEUP_2026
        assert all(day.weekday() >= 5 for day in makeup)

    def test_2025(self, portal):
        assert {day for day in record("holidays") if day.year == 2025} == HOLIDAYS_2025
        assert {day for day in record("makeup_workdays") if day.year == 2025} == MAKEUP_2025

    def test_record_names(self, portal):
        """Named by the prefix, never by the interface's module path."""
        registry = api.portal.get_tool("portal_registry")
        assert f"{CALENDAR_PREFIX}.holidays" in registry
        assert f"{CALENDAR_PREFIX}.makeup_workdays" in registry
        assert not [name for name in registry.records if "ICalendarSettings" in name]

    def test_bureau_calendar_across_national_day(self, portal):
        """Accepted Wednesday 30 Sept 2026 with 5 days: 8, 9, 10 (Saturday, 调休), 12, 13 Oct."""
        calendar = bureau_calendar()
        assert calendar.covered_years() == {2025, 2026}
        assert calendar.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
        assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 13)) == 5

    def test_bureau_calendar_follows_the_registry(self, portal):
        """A year the working group enters is used at once."""
        holidays = api.portal.get_registry_record(f"{CALENDAR_PREFIX}.holidays")
        api.portal.set_registry_record(
            f"{CALENDAR_PREFIX}.holidays", [*holidays, "2027-01-01 元旦"]
        )
        assert bureau_calendar().add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)

    def test_controlpanel_action(self, controlpanel_actions):
        assert "approval-calendar" in controlpanel_actions


class TestControlPanelAccess:
    """Only the working group (and Manager) may change the calendar."""

    @pytest.fixture
    def open_view(self, portal, matter_list, http_request):
        """Traverse to the control panel as a user (None: anonymous), as the publisher would."""
        alsoProvides(http_request, IBrowserLayer)

        def open_as(userid):
            if userid is None:
                logout()
                return portal.restrictedTraverse(VIEW)()
            with api.env.adopt_user(username=userid):
                return portal.restrictedTraverse(VIEW)()

        return open_as

    @pytest.mark.parametrize("userid", [None, "member", "editor", "auditor"])
    def test_refused(self, open_view, userid):
        with pytest.raises(Unauthorized):
            open_view(userid)

    def test_working_group_gets_the_form(self, open_view, http_request):
        page = open_view("workgroup")
        assert http_request.response.getStatus() == 200
        assert "form.widgets.holidays" in page
        assert "2026-10-01 国庆节" in page


class TestControlPanelOverHttp:
    """The control panel through the publisher, with its CSRF token."""

    @pytest.fixture
    def url(self, functional_matter_list, functional_portal):
        """The control panel's address."""
        return f"{functional_portal.absolute_url()}/{VIEW}"

    @pytest.mark.parametrize(
        "credentials",
        [(SITE_OWNER_NAME, SITE_OWNER_PASSWORD), ("workgroup", PASSWORD)],
    )
    def test_allowed(self, url, credentials):
        response = requests.get(url, auth=credentials, allow_redirects=False, timeout=30)
        assert response.status_code == 200
        assert "2026-02-14" in response.text

    @pytest.mark.parametrize("userid", [None, "member"])
    def test_refused(self, url, userid):
        response = requests.get(
            url, auth=(userid, PASSWORD) if userid else None, allow_redirects=False, timeout=30
        )
        assert response.status_code in (302, 401, 403)
        assert "form.widgets.holidays" not in response.text
        if response.status_code == 302:
            assert "require_login" in response.headers["Location"]

    @pytest.fixture
    def workgroup_form(self, url):
        """A workgroup session on the control panel and the form's CSRF token."""
        session = requests.Session()
        session.auth = ("workgroup", PASSWORD)
        session.headers["Accept-Language"] = "en"
        page = session.get(url, timeout=30).text
        token = re.search(r'name="_authenticator" type="hidden" value="(\w+)"', page).group(1)
        return session, token

    def test_malformed_line_refused_and_named(self, url, workgroup_form):
        session, token = workgroup_form
        response = session.post(
            url,
            data={
                "_authenticator": token,
                "form.widgets.holidays": "2027-01-01 元旦\n2027-02-30 春节",
                "form.widgets.makeup_workdays": "",
                "form.buttons.save": "Save",
            },
            timeout=30,
        )
        assert response.status_code == 200
        assert 'The line "2027-02-30 春节" is not a day' in html.unescape(response.text)
        stored = session.get(url, timeout=30).text
        assert "2027-01-01" not in stored
        assert "2026-10-01 国庆节" in stored

    def save(self, session, token, url, holidays, makeup):
        """Post the form with the given lines; the response."""
        return session.post(
            url,
            data={
                "_authenticator": token,
                "form.widgets.holidays": "\n".join(holidays),
                "form.widgets.makeup_workdays": "\n".join(makeup),
                "form.buttons.save": "Save",
            },
            timeout=30,
        )

    def test_working_group_adds_a_year_as_the_notice_writes_it(self, url, workgroup_form, clock):
        """Ranges and 上班 lines as published; 2027 is next year on 2026-11-20."""
        clock("2026-11-20")
        session, token = workgroup_form
        holidays = api.portal.get_registry_record(f"{CALENDAR_PREFIX}.holidays")
        makeup = api.portal.get_registry_record(f"{CALENDAR_PREFIX}.makeup_workdays")
        response = self.save(
            session, token, url, [*holidays, *HOLIDAYS_2027], [*makeup, "2027-01-30 上班"]
        )
        assert response.status_code == 200
        assert "Changes saved" in response.text
        stored = session.get(url, timeout=30).text
        assert "2027-02-05 至 2027-02-12 春节" in stored
        assert "2026-10-01 国庆节" in stored
        desk = session.get(url.replace(VIEW, "@@workbench"), timeout=30).text
        assert "desk-calendar-warning" not in desk  # 2027 is entered now

    @pytest.mark.parametrize(
        ("holidays_2027", "makeup_2027", "named"),
        [
            (HOLIDAYS_2027, ["2027-02-03 上班"], "2027-02-03 is a weekday"),
            ([*HOLIDAYS_2027, "2027-01-30 上班"], [], "is a make-up working day"),
            (["2027-01-01 元旦"], [], "The holidays of 2027 lack 春节"),
            ([line.replace("2027", "2028") for line in HOLIDAYS_2027], [], "2028 is more than"),
        ],
    )
    def test_slips_refused_and_named_nothing_saved(
        self, url, workgroup_form, clock, holidays_2027, makeup_2027, named
    ):
        clock("2026-11-20")
        session, token = workgroup_form
        holidays = api.portal.get_registry_record(f"{CALENDAR_PREFIX}.holidays")
        makeup = api.portal.get_registry_record(f"{CALENDAR_PREFIX}.makeup_workdays")
        response = self.save(
            session, token, url, [*holidays, *holidays_2027], [*makeup, *makeup_2027]
        )
        assert response.status_code == 200
        assert named in html.unescape(response.text)
        stored = session.get(url, timeout=30).text
        assert "2027-06-09" not in stored and "2027-01-01" not in stored
        desk = session.get(url.replace(VIEW, "@@workbench"), timeout=30).text
        assert "desk-calendar-warning" in desk  # 2027 still missing on 2026-11-20
