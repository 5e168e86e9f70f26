"""The annual assessment against figures computed by hand, exports, and the unfit verdict."""

from io import BytesIO
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import act
from tests.helpers.approval import complete_checklist
from tests.helpers.approval import create_oversight_record
from tests.helpers.approval import decide
from tests.helpers.approval import poppler
from zhangdian.approval.roster.grades import record_grade
from zhangdian.approval.rules.application import may_act
from zhangdian.approval.supervision.assessment import annual_figures
from zhangdian.approval.supervision.assessment import figures_pdf
from zhangdian.approval.supervision.assessment import figures_xlsx
from zhangdian.approval.supervision.spot_checks import record_finding
from zope.interface import Invalid

import openpyxl
import pytest
import requests


def case(portal, submit, clock, approver, accepted_on, decided_on):
    """An XK-T-001 case (5 promised working days) accepted and approved on the given days."""
    clock(accepted_on)
    application = submit("XK-T-001")
    act(portal, application, "accept", approver)
    complete_checklist(application)
    clock(decided_on)
    decide(portal, application, "approve", approver)
    return application.number


def add(portal, type_name, userid="workgroup", **fields):
    """Create an item in the roster as `userid` (the working group starts spot checks)."""
    return create_oversight_record(portal, type_name, userid, **fields)


@pytest.fixture
def year_2026(portal, keys, submit, clock):
    """Four decided cases, a full spot check with two findings, two call-backs."""
    a = case(portal, submit, clock, "approver1", "2026-03-02", "2026-03-03")  # 1 day, on time
    b = case(portal, submit, clock, "approver1", "2026-03-02", "2026-03-04")  # 2 days, on time
    c = case(portal, submit, clock, "approver1", "2026-03-02", "2026-03-16")  # 10 days, late
    d = case(portal, submit, clock, "approver4", "2026-03-09", "2026-03-09")  # 0 days, on time
    clock("2026-04-10")
    check = add(portal, "SpotCheck", title="Q1", quarter="2026-Q1", share=1.0, seed="s")
    record_finding(check, a, "compliant", inspector="supervisor")
    record_finding(
        check, c, "problem", inspector="supervisor", category="时限", description="超期办结"
    )
    record_finding(check, d, "compliant", inspector="supervisor")
    ratings = {"process": 5, "attitude": 5, "efficiency": 5, "integrity": 5}
    add(
        portal,
        "Callback",
        title="回访1",
        application=a,
        channel="phone",
        userid="supervisor",
        **ratings,
    )
    add(
        portal,
        "Callback",
        title="回访2",
        application=c,
        channel="on_site",
        process=3,
        attitude=2,
        efficiency=4,
        integrity=1,
        complaint=True,
        userid="supervisor",
    )
    return a, b, c, d


def test_figures_match_the_hand_computed_ones(year_2026):
    assert annual_figures(2026) == [
        {
            "approver": "approver1",
            "decided": 3,
            "on_time_rate": 0.6667,  # 2 of 3
            "average_working_days": 4.33,  # (1 + 2 + 10) / 3
            "spot_checked": 2,
            "problem_rate": 0.5,  # 1 problem in 2 findings
            "satisfaction": 3.75,  # (5 + 2.5) / 2
            "complaints": 1,
        },
        {
            "approver": "approver4",
            "decided": 1,
            "on_time_rate": 1.0,
            "average_working_days": 0.0,
            "spot_checked": 1,
            "problem_rate": 0.0,
            "satisfaction": None,
            "complaints": 0,
        },
    ]
    assert annual_figures(2025) == []


def test_xlsx_export(year_2026):
    sheet = openpyxl.load_workbook(BytesIO(figures_xlsx(2026, annual_figures(2026)))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("审批员", "办结件数", "按时办结率")
    assert rows[1][:3] == ("approver1", 3, 0.6667)


def test_pdf_export(year_2026, tmp_path):
    pdf = figures_pdf(2026, annual_figures(2026))
    text = poppler("pdftotext", pdf, tmp_path)
    assert "2026年度独立审批员考核" in text
    assert "approver1" in text
    assert "0.6667" in text
    fonts = poppler("pdffonts", pdf, tmp_path).splitlines()[2:]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts)  # every font embedded


def test_unfit_revokes_through_the_workflow(portal, year_2026, submit, approvers, clock):
    login(portal, "workgroup")
    try:
        revoked = record_grade("approver1", 2026, "incompetent", "抽查问题率过高")
    finally:
        logout()
    assert revoked == [approvers["approver1"]]
    assert api.content.get_state(approvers["approver1"]) == "revoked"
    application = submit("XK-T-001")
    assert may_act("approver1", application).allowed is False


def test_callback_only_on_decided_cases(portal, keys, submit, clock):
    clock("2026-03-02")
    open_case = submit("XK-T-001")
    with pytest.raises(Invalid):
        add(
            portal,
            "Callback",
            title="x",
            application=open_case.number,
            userid="supervisor",
            process=5,
            attitude=5,
            efficiency=5,
            integrity=5,
        )


def test_who_reads_the_assessment(portal, matter_list):
    permission = "zhangdian.approval: View Assessment"
    for userid, allowed in (("workgroup", True), ("auditor", True), ("member", False)):
        login(portal, userid)
        try:
            assert bool(api.user.has_permission(permission, obj=portal)) is allowed
        finally:
            logout()


def test_pages_and_rest(functional_portal, functional_matter_list):
    base = functional_portal.absolute_url()
    auditor = requests.Session()
    auditor.auth = ("auditor", PASSWORD)
    page = auditor.get(f"{base}/@@annual-assessment", params={"year": "2026"}, timeout=30)
    assert page.status_code == 200
    assert "本年度没有审批员办结案件。" in page.text
    export = auditor.get(f"{base}/@@annual-assessment.xlsx", params={"year": "2026"}, timeout=30)
    assert export.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = auditor.get(f"{base}/@@annual-assessment.pdf", params={"year": "2026"}, timeout=30)
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    json_headers = {"Accept": "application/json"}
    rest = auditor.get(
        f"{base}/@annual-assessment", params={"year": "2026"}, headers=json_headers, timeout=30
    )
    assert rest.status_code == 200
    assert rest.json()["items"] == []
    bad = auditor.get(
        f"{base}/@annual-assessment", params={"year": "abc"}, headers=json_headers, timeout=30
    )
    assert bad.status_code == 400
    member = requests.get(
        f"{base}/@annual-assessment",
        params={"year": "2026"},
        auth=("member", PASSWORD),
        headers=json_headers,
        timeout=30,
    )
    assert member.status_code in (401, 403)
    unfit = auditor.post(
        f"{base}/@@record-grade",
        data={"approver": "approver1", "grade": "incompetent", "reason": "y"},
        timeout=30,
    )
    assert "revoked" not in unfit.text
