"""The demo's decided cases: signed for real, overseen, listed on the desks, made only once."""

from cryptography.hazmat.primitives import serialization
from pathlib import Path
from plone import api
from zhangdian.approval.rules.deadlines import decided_on_time
from zhangdian.approval.setuphandlers.demo import DEMO_PASSWORD
from zhangdian.approval.setuphandlers.demo_casework import create_demo_decisions
from zhangdian.approval.setuphandlers.demo_provisioning import records
from zhangdian.approval.signing.public_verify import verify_decision
from zhangdian.approval.testing.demo_pki import DEMO_PIN
from zhangdian.approval.testing.demo_pki import enrol_test_tokens
from zhangdian.approval.testing.pki import to_pem

import pytest
import requests
import transaction


def demo_pki_on(directory, tokens):
    """A demo PKI directory holding the suite's CA and SoftHSM store (one per process)."""
    directory.mkdir()
    (directory / "softhsm").symlink_to(Path(tokens.config).parent)
    (directory / "ca.pem").write_bytes(to_pem(tokens.ca_cert))
    (directory / "ca-key.pem").write_bytes(
        tokens.ca_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return directory


def make_start(portal, apply_profiles, pki):
    """What `make start` does on a demo site: the demo profile, then instance/scripts/test_pki.py."""
    with api.env.adopt_roles(["Manager"]):
        apply_profiles(portal, ["zhangdian.approval:demo"])
        enrol_test_tokens(pki, ["approver1"], report=lambda line: None)
        create_demo_decisions(DEMO_PIN, report=lambda line: None)
    transaction.commit()


def decided(state):
    """approver1's applications in `state`."""
    brains = api.content.find(portal_type="Application", review_state=state, unrestricted=True)
    return [b._unrestrictedGetObject() for b in brains if b.decided_by == "approver1"]


def oversight_counts():
    """How many applications, spot checks, call-backs and findings the site holds."""
    checks = [
        b._unrestrictedGetObject()
        for b in api.content.find(portal_type="SpotCheck", unrestricted=True)
    ]
    return {
        kind: len(api.content.find(portal_type=kind, unrestricted=True))
        for kind in ("Application", "SpotCheck", "Callback")
    } | {"findings": sum(len(check.entries) for check in checks)}


@pytest.fixture
def demo_site(functional_portal, apply_profiles, tokens, clock, smtp, tmp_path):
    """A demo site built as `make start` builds it, on 2026-03-02."""
    clock("2026-03-02")
    pki = demo_pki_on(tmp_path / "pki", tokens)
    make_start(functional_portal, apply_profiles, pki)
    return functional_portal, pki


def test_decisions_are_signed_and_verify(demo_site):
    """Two approvals (one late) and a refusal by approver1, each with a trusted signature."""
    approved, refused = decided("approved"), decided("refused")
    assert len(approved) >= 2
    assert len(refused) >= 1
    for application in (*approved, *refused):
        report = verify_decision(application.decision_document.data)
        assert report["ok"], report
        assert report["trusted"], report
        assert application.signature["userid"] == "approver1"
    assert sorted(decided_on_time(a) for a in approved) == [False, True]
    assert refused[0].decision_reason


def test_spot_check_findings_and_callback(demo_site):
    """The quarter's spot check, started by workgroup, holds the supervisor's findings."""
    numbers = {a.number for a in decided("approved") + decided("refused")}
    (check,) = [
        b._unrestrictedGetObject()
        for b in api.content.find(portal_type="SpotCheck", unrestricted=True)
    ]
    assert check.quarter == "2026-Q1"
    assert check.Creator() == "workgroup"
    assert set(check.sample["approver1"]) == numbers
    assert {entry["inspector"] for entry in check.entries} == {"supervisor"}
    assert {entry["finding"] for entry in check.entries} == {"compliant", "problem"}
    assert set(check.findings) == numbers
    (callback,) = [
        b._unrestrictedGetObject()
        for b in api.content.find(portal_type="Callback", unrestricted=True)
    ]
    assert callback.complaint
    assert callback.Creator() == "supervisor"
    assert callback.application in numbers


@pytest.mark.parametrize(
    "userid, view",
    [
        ("workgroup", "@@workbench"),
        ("supervisor", "@@supervision-desk"),
        ("approver1", "@@approval-queue"),
        ("supervisor", "@@annual-assessment?year=2026"),
        ("auditor", "@@annual-assessment?year=2026"),
    ],
)
def test_desks_list_the_cases(demo_site, userid, view):
    """The desks and the assessment render with the demo's decided cases on them."""
    portal, _ = demo_site
    page = requests.get(
        f"{portal.absolute_url()}/{view}",
        auth=(userid, DEMO_PASSWORD),
        headers={"Accept": "text/html"},
        timeout=60,
    )
    assert page.status_code == 200
    html = page.text
    if view == "@@approval-queue":
        # The queue lists open cases; the decided ones count in its figures (2 of 3 on time).
        assert "66.7 %" in html
    elif view == "@@supervision-desk":
        assert "回访：超期办结（演示）" in html
        assert "spotcheck.problem" in html
    elif view == "@@workbench":
        assert "2026-Q1" in html
    else:
        assert "approver1" in html or "李审批" in html


def test_second_make_start_duplicates_nothing(demo_site, apply_profiles, clock):
    """A later `make start` (days on) leaves the decided cases and oversight records alone."""
    portal, pki = demo_site
    before = oversight_counts()
    clock("2026-03-09")
    make_start(portal, apply_profiles, pki)
    assert oversight_counts() == before
    assert before == {"Application": 6, "SpotCheck": 1, "Callback": 1, "findings": 3}


def test_site_without_the_demo_is_left_alone(portal):
    """A bureau's site (no demo profile) gets no demo cases."""
    with api.env.adopt_roles(["Manager"]):
        assert create_demo_decisions(DEMO_PIN) is None
    assert oversight_counts() == {"Application": 0, "SpotCheck": 0, "Callback": 0, "findings": 0}


def test_before_the_tokens_nothing_is_half_made(functional_portal, apply_profiles, clock, smtp):
    """Without the demo PKI the signature is refused: no case is left behind, nothing recorded."""
    clock("2026-03-02")
    with api.env.adopt_roles(["Manager"]):
        apply_profiles(functional_portal, ["zhangdian.approval:demo"])
        before = oversight_counts()
        lines = []
        assert create_demo_decisions(DEMO_PIN, report=lines.append) is None
    assert oversight_counts() == before
    assert decided("approved") == decided("refused") == []
    assert len(lines) == 1
    assert lines[0].startswith("Demo cases not made:")
    assert "casework.decided" not in records()
