"""Quarterly spot checks: reproducible samples of at least 20 %, and no one checks their own."""

from tests.helpers.approval import PASSWORD
from tests.helpers.approval import approve_as
from tests.helpers.approval import bind
from tests.helpers.approval import configure_signing
from tests.helpers.approval import register_application_as
from tests.helpers.approval import start_spot_check
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.supervision.spot_checks import SpotCheckRefused
from zhangdian.approval.supervision.spot_checks import draw
from zhangdian.approval.supervision.spot_checks import quarter_bounds
from zhangdian.approval.supervision.spot_checks import record_finding
from zhangdian.approval.supervision.spot_checks import sample_size

import functools
import math
import pytest
import requests
import transaction


WORKGROUP = ("workgroup", PASSWORD)
APPROVER = ("approver1", PASSWORD)
SUPERVISOR = ("supervisor", PASSWORD)


class TestDraw:
    @pytest.mark.parametrize("count", [1, 4, 5, 6, 9, 10, 11, 37, 100])
    def test_at_least_the_share_rounded_up(self, count):
        cases = {"a": [f"ZD-2026-{n:06d}" for n in range(count)]}
        assert len(draw(cases, 0.2, "seed")["a"]) == math.ceil(count * 0.2)
        assert sample_size(count, 0.2) == math.ceil(count * 0.2)

    def test_same_seed_same_sample_whatever_the_order(self):
        cases = {"a": [f"N{n}" for n in range(50)], "b": [f"M{n}" for n in range(20)]}
        shuffled = {"b": list(reversed(cases["b"])), "a": list(reversed(cases["a"]))}
        assert draw(cases, 0.2, "2026-Q1/abc") == draw(shuffled, 0.2, "2026-Q1/abc")
        assert draw(cases, 0.2, "2026-Q1/abc") != draw(cases, 0.2, "2026-Q1/abd")

    def test_quarter_bounds(self):
        start, end = quarter_bounds("2026-Q4")
        assert (start.isoformat(), end.isoformat()) == (
            "2026-10-01T00:00:00+08:00",
            "2027-01-01T00:00:00+08:00",
        )
        with pytest.raises(ValueError):
            quarter_bounds("2026-Q5")


@pytest.fixture
def quarter(portal, keys, submit, clock):
    """approver1 decides five cases and approver4 three in 2026-Q1; one more on 04-01."""
    numbers = {"approver1": [], "approver4": []}
    for userid, days in (("approver1", range(2, 7)), ("approver4", range(9, 12))):
        for day in days:
            clock(f"2026-03-{day:02d}")
            application = submit("XK-T-001")
            approve_as(portal, application, userid)
            numbers[userid].append(application.number)
    clock("2026-04-01")
    later = submit("XK-T-001")
    approve_as(portal, later)
    return numbers, later.number


def start_check(portal, seed=None):
    """The working group starts the 2026-Q1 check."""
    return start_spot_check(
        portal, title=f"2026-Q1 {seed or ''}", quarter="2026-Q1", share=0.2, seed=seed
    )


class TestSpotCheck:
    def test_sample_from_the_quarter_and_redrawn_from_the_seed(self, portal, quarter):
        numbers, later = quarter
        check = start_check(portal)
        assert check.seed
        assert {k: len(v) for k, v in check.sample.items()} == {"approver1": 1, "approver4": 1}
        assert set(check.sample["approver1"]) <= set(numbers["approver1"])
        assert later not in check.sample["approver1"]
        again = start_check(portal, seed=check.seed)
        assert again.sample == check.sample
        drawn = [e for e in journal().entries.values() if e["action"] == "spotcheck.drawn"]
        assert drawn[-1]["after"]["seed"] == check.seed

    def test_no_one_inspects_their_own_case(self, portal, quarter):
        check = start_check(portal, seed="fixed")
        own = check.sample["approver1"][0]
        # approver1 decided the case and is no supervisor: refused for both reasons, the
        # role first; a supervisor may record it.
        with pytest.raises(SpotCheckRefused):
            record_finding(check, own, "compliant", inspector="approver1")
        assert not check.findings
        entry = record_finding(check, own, "compliant", inspector="supervisor")
        assert entry["inspector"] == "supervisor"
        with pytest.raises(SpotCheckRefused):
            record_finding(check, "ZD-2099-000001", "compliant", inspector="supervisor")
        with pytest.raises(SpotCheckRefused):
            record_finding(check, own, "problem", inspector="supervisor")
        assert check.findings == {own: entry}


def test_finding_over_rest(functional_portal, functional_granted, tokens, clock):
    clock("2026-03-02")
    configure_signing(tokens)
    bind(functional_granted, tokens.certs["approver1"])
    application = register_application_as(functional_portal, "member", "XK-T-001")
    approve_as(functional_portal, application)
    check = start_spot_check(
        functional_portal, title="Q1", quarter="2026-Q1", share=0.2, seed="rest"
    )
    transaction.commit()
    url = f"{check.absolute_url()}/@spot-check-finding"
    headers = {"Accept": "application/json"}
    post = functools.partial(requests.post, url, headers=headers, timeout=30)
    missing = post(json={"number": application.number, "finding": "problem"}, auth=SUPERVISOR)
    assert missing.status_code == 400
    assert "问题类别" in missing.json()["message"]
    approver = post(json={"number": application.number, "finding": "compliant"}, auth=APPROVER)
    assert approver.status_code in (401, 403)
    # The working group starts spot checks but records no finding (it was allowed before 1005).
    workgroup = post(json={"number": application.number, "finding": "compliant"}, auth=WORKGROUP)
    assert workgroup.status_code == 403, workgroup.text
    assert workgroup.json()["type"] == "oversight_not_supervisor"
    ok = post(json={"number": application.number, "finding": "compliant"}, auth=SUPERVISOR)
    assert ok.status_code == 200, ok.text
    assert ok.json()["inspector"] == "supervisor"
    transaction.begin()
    assert set(check.findings) == {application.number}
