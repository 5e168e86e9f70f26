"""年度考核等次: the working group grades each approver's year; the next grant reads the grade."""

from datetime import date
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import graded
from tests.helpers.approval import grant
from tests.helpers.approval import make_authorization
from tests.reliability.bad_input import csrf_token
from tests.reliability.bad_input import html_session
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.errors import BadInput
from zhangdian.approval.roster.grades import grade_history
from zhangdian.approval.roster.grades import grade_of
from zhangdian.approval.roster.grades import record_grade
from zhangdian.approval.roster.lifecycle import renew
from zhangdian.approval.rules.authorization import qualification_problems
from zope.i18n import translate

import pytest
import requests
import transaction


def english(problems):
    """The problems in English, one text."""
    return " ".join(translate(problem, target_language="en") for problem in problems)


class TestRecording:
    def test_recorded_journalled_and_corrected_by_a_new_entry(self, portal, approvers, clock):
        """A correction keeps the first entry; the latest counts; both are journalled."""
        clock("2026-12-10")
        before = journal().length
        graded(portal, "approver1", 2026, "competent")
        graded(portal, "approver1", 2026, "excellent", "复核后更正")
        assert grade_of("approver1", 2026) == "excellent"
        assert [entry["grade"] for entry in grade_history("approver1", 2026)] == [
            "competent",
            "excellent",
        ]
        assert grade_history("approver1", 2026)[0]["by"] == "workgroup"
        entries = [journal().entries[n] for n in range(before + 1, journal().length + 1)]
        assert [(e["action"], e["target"], e["after"]["grade"]) for e in entries] == [
            ("approver.graded", "approver1", "competent"),
            ("approver.graded", "approver1", "excellent"),
        ]

    @pytest.mark.parametrize("grade", ["incompetent", "disqualified"])
    def test_a_failing_grade_revokes_now(self, portal, approvers, clock, grade):
        clock("2026-12-10")
        revoked = graded(portal, "approver1", 2026, grade, "抽查问题率过高")
        assert revoked == [approvers["approver1"]]
        assert api.content.get_state(approvers["approver1"]) == "revoked"

    @pytest.mark.parametrize(
        ("approver", "year", "grade", "reason", "code"),
        [
            ("approver1", 2026, "outstanding", "", "one of the grades"),
            ("approver1", 2026, "incompetent", "  ", "Give the reason"),
            ("approver1", 2027, "excellent", "", "has not begun"),
            ("member", 2026, "excellent", "", "never held an authorisation"),
        ],
    )
    def test_refused_with_the_reason_nothing_written(
        self, portal, approvers, clock, approver, year, grade, reason, code
    ):
        clock("2026-12-10")
        before = journal().length
        login(portal, "workgroup")
        try:
            with pytest.raises(BadInput) as refused:
                record_grade(approver, year, grade, reason)
        finally:
            logout()
        assert code in translate(refused.value.message, target_language="en")
        assert grade_of(approver, year) is None
        assert journal().length == before
        assert api.content.get_state(approvers["approver1"]) == "active"


class TestTheNextGrantReadsIt:
    @pytest.fixture
    def successor(self, portal, approvers, clock):
        """approver1's renewal for 2027, its yearly evidence entered."""
        clock("2026-12-10")
        with api.env.adopt_roles(["Manager"]):
            successor = renew(approvers["approver1"])
        successor.last_appraisal = "excellent"
        successor.last_training_date = date(2026, 11, 1)
        return successor

    def test_a_renewal_waits_for_the_year_s_grade(self, portal, successor):
        assert "record the approver's grade for 2026" in english(qualification_problems(successor))

    @pytest.mark.parametrize("grade", ["excellent", "competent", "basically_competent"])
    def test_a_passing_grade_lets_it_be_granted(self, portal, successor, grade):
        graded(portal, "approver1", 2026, grade)
        grant(portal, successor)
        assert api.content.get_state(successor) == "active"

    def test_incompetent_stops_the_renewal(self, portal, successor):
        graded(portal, "approver1", 2026, "incompetent", "办结超期率过高")
        assert "graded incompetent" in english(qualification_problems(successor))

    def test_disqualified_stops_every_later_authorisation(self, portal, roster, approvers, clock):
        """取消资格 in 2026: a new (not renewed) authorisation two years on is refused too."""
        clock("2026-12-10")
        graded(portal, "approver1", 2026, "disqualified", "违规办理")
        later = make_authorization(roster, "approver1", "2028-03-01", "2029-02-28", ["jmss"])
        problems = english(qualification_problems(later, date(2028, 2, 20)))
        assert "withdrawn in the 2026 assessment" in problems

    def test_a_first_authorisation_needs_no_grade(self, portal, roster, clock):
        """Somebody who never held one has no year to be graded in."""
        authorization = make_authorization(
            roster, "approver2", "2026-01-01", "2026-12-31", ["jmss"]
        )
        assert qualification_problems(authorization, date(2026, 1, 10)) == []


class TestThePage:
    """The grade form on the annual assessment page, through the publisher."""

    @pytest.fixture
    def site(self, functional_portal, functional_decided_year):
        return functional_portal.absolute_url()

    def test_the_working_group_records_a_grade(self, site, clock):
        session = html_session("workgroup")
        page = f"{site}/@@annual-assessment?year=2026"
        token = csrf_token(session, page)
        response = session.post(
            f"{site}/@@record-grade?year=2026",
            data={"approver": "approver1", "grade": "competent", "_authenticator": token},
            timeout=30,
        )
        assert response.status_code == 200
        transaction.begin()
        assert grade_of("approver1", 2026) == "competent"
        assert 'id="record-grade"' in response.text

    @pytest.mark.parametrize("userid", [None, "member", "approver1", "supervisor", "auditor"])
    def test_others_are_refused(self, site, userid):
        response = requests.post(
            f"{site}/@@record-grade?year=2026",
            data={"approver": "approver1", "grade": "incompetent", "reason": "x"},
            auth=(userid, PASSWORD) if userid else None,
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code in (302, 401, 403)
        transaction.begin()
        assert grade_of("approver1", 2026) is None
