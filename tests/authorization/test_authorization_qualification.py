"""资格条件: the plan's thresholds, fixed in the portal; an expired 执法证 stops an authorisation."""

from datetime import date
from plone import api
from tests.helpers.approval import grant
from tests.helpers.approval import make_authorization
from tests.signing.test_signing_settings import session
from tests.signing.test_signing_settings_four_eyes import fresh
from zhangdian.approval.rules.authorization import may_decide
from zhangdian.approval.rules.authorization import qualification_problems
from zhangdian.approval.settings import QUALIFICATION_PREFIX
from zhangdian.approval.settings import UnconfirmedSettingChange
from zhangdian.approval.settings import applying_confirmed_change
from zhangdian.approval.settings import qualification_setting
from zope.i18n import translate

import pytest
import transaction


PLAN = {
    "minimum_service_months": 12,
    "minimum_appraisal": "excellent",
    "training_within_months": 12,
    "exam_pass_mark": 60,
}


def english(problems):
    """The problems in English, one text."""
    return " ".join(translate(problem, target_language="en") for problem in problems)


class TestThresholds:
    def test_the_plan_s_values_are_installed(self, portal):
        assert {name: qualification_setting(name) for name in PLAN} == PLAN

    @pytest.mark.parametrize("role", ["Manager", "Site Administrator", "ApprovalAdministrator"])
    def test_nobody_lowers_the_bar_in_the_portal(self, portal, role):
        """Working group, Site Administrator and Manager alike: refused, value put back."""
        with api.env.adopt_roles([role]), pytest.raises(UnconfirmedSettingChange) as refused:
            api.portal.set_registry_record(
                f"{QUALIFICATION_PREFIX}.minimum_appraisal", "basically_competent"
            )
        assert "with a new release" in translate(refused.value.message, target_language="en")
        assert qualification_setting("minimum_appraisal") == "excellent"

    def test_a_release_may_change_them_and_the_rule_follows(self, portal, roster, clock):
        """The portal's own path (an upgrade step) sets a threshold; grants read it."""
        authorization = make_authorization(
            roster, "approver2", "2026-01-01", "2026-12-31", ["jmss"], last_appraisal="competent"
        )
        day = date(2026, 1, 10)
        assert "at least Excellent" in english(qualification_problems(authorization, day))
        with applying_confirmed_change():
            api.portal.set_registry_record(f"{QUALIFICATION_PREFIX}.minimum_appraisal", "competent")
        assert qualification_problems(authorization, day) == []
        with applying_confirmed_change():
            api.portal.set_registry_record(f"{QUALIFICATION_PREFIX}.training_within_months", 1)
        later = date(2026, 2, 1)  # trained 2025-12-15: more than a month before
        assert "within the last 1 months" in english(qualification_problems(authorization, later))


class TestThresholdsOverHttp:
    """plone.restapi's @registry as the site's Manager: 403 with the reason, nothing changed."""

    def test_registry_endpoint_as_manager(self, functional_portal, functional_matter_list):
        response = session("admin").patch(
            f"{functional_portal.absolute_url()}/@registry",
            json={f"{QUALIFICATION_PREFIX}.exam_pass_mark": 0},
            timeout=30,
        )
        assert response.status_code == 403, response.text
        assert response.json()["type"] == "setting_change_unconfirmed"
        fresh()
        assert qualification_setting("exam_pass_mark") == 60


class TestEnforcementCertificate:
    """行政执法资格: an expired certificate stops the authorisation counting, like its end."""

    @pytest.fixture
    def authorised(self, portal, roster, matter_list, clock):
        """approver2 for 经贸商事 in 2026, its 执法证 valid until 2026-06-30."""
        authorization = make_authorization(
            roster,
            "approver2",
            "2026-01-01",
            "2026-12-31",
            ["jmss"],
            enforcement_certificate_expiry=date(2026, 6, 30),
        )
        clock("2026-01-10")
        grant(portal, authorization)
        return matter_list["jmss"]["xk-t-001"]

    def test_counts_on_its_last_day(self, authorised, clock):
        clock("2026-06-30")
        assert may_decide("approver2", authorised).allowed

    def test_stops_counting_the_day_after(self, authorised, clock):
        clock("2026-07-01")
        verdict = may_decide("approver2", authorised)
        assert (verdict.allowed, verdict.reason) == (False, "enforcement_expired")
        assert "行政执法证" in translate(verdict.message, target_language="en")


def test_renewal_carries_the_standing_facts_and_asks_for_fresh_yearly_evidence(
    portal, granted, clock
):
    """Post and 执法证 carry over; appraisal and training are entered afresh."""
    from zhangdian.approval.roster.lifecycle import renew

    with api.env.adopt_roles(["Manager"]):
        successor = renew(granted)
    assert successor.established_post is True
    assert successor.enforcement_certificate_no == granted.enforcement_certificate_no
    assert successor.enforcement_certificate_expiry == granted.enforcement_certificate_expiry
    assert successor.last_training_date is None and successor.last_appraisal is None
    problems = english(qualification_problems(successor, date(2026, 12, 20)))
    assert "latest recorded training" in problems and "latest appraisal" in problems
    transaction.abort()
