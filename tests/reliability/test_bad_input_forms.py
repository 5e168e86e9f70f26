"""Browser forms, CSRF and escaping: bad input is refused clearly, stores nothing (see bad_input.py)."""

from tests.helpers.approval import PIN
from tests.reliability.bad_input import ATTR
from tests.reliability.bad_input import BIG
from tests.reliability.bad_input import XSS
from tests.reliability.bad_input import application
from tests.reliability.bad_input import csrf_token
from tests.reliability.bad_input import escaped
from tests.reliability.bad_input import fingerprint
from tests.reliability.bad_input import html_session
from tests.reliability.bad_input import matter
from tests.reliability.bad_input import no_traceback
from tests.reliability.bad_input import record
from zhangdian.approval.browser.spreadsheet import MAX_UPLOAD_BYTES

import html
import io
import pytest
import re
import transaction
import zipfile


# Browser forms: with the CSRF token, bad input is shown again with a message, stores nothing.
MESSAGE = re.compile(r"statusmessage|portalMessage|alert-danger|invalid-feedback|zd-import-errors")


def form_refused(response, case_id, statuses=(200, 400)):
    """The form (or the page it returns to) with an error or status message, no traceback."""
    no_traceback(response)
    assert response.status_code in statuses, (response.status_code, response.text[:1000])
    if response.status_code == 200:
        assert MESSAGE.search(response.text), response.text[:3000]
    escaped(response)
    record(case_id, response, "form message" if response.status_code == 200 else "error page")


def post_form(session, url, data, token=None, files=None, raw=None):
    """POST a form as a browser would (urlencoded or multipart), following the redirect."""
    if raw is not None:
        body = raw + (f"&_authenticator={token}".encode() if token else b"")
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return session.post(url, data=body, headers=headers, timeout=120)
    data = dict(data)
    if token:
        data["_authenticator"] = token
    return session.post(url, data=data, files=files, timeout=120)


@pytest.mark.parametrize(
    "data",
    [
        {"pin": PIN},
        {"transition": "approve", "pin": ""},
        {"transition": XSS, "pin": PIN},
        {"transition": "refuse", "reason": "", "pin": PIN},
        {"transition": "refuse", "reason": BIG, "pin": PIN},
        {"transition": "refuse", "reason": ATTR, "pin": BIG},
        b"transition=refuse&reason=%FF%FE%FD&pin=123456",
        "transition=refuse&reason=经营场所不符合条件&pin=123456".encode("gb18030"),
    ],
    ids=[
        "missing-transition",
        "empty-pin",
        "unknown-transition",
        "refuse-empty-reason",
        "reason-100kB",
        "pin-100kB",
        "invalid-utf8",
        "gb18030-as-utf8",
    ],
)
def test_sign_decision_form(data, accepted, functional_portal):
    session = html_session("approver1")
    token = csrf_token(session, accepted)
    before = fingerprint(functional_portal)
    url = f"{accepted}/@@sign-decision"
    if isinstance(data, bytes):
        response = post_form(session, url, None, token, raw=data)
    else:
        response = post_form(session, url, data, token)
    form_refused(response, f"sign-decision {data if isinstance(data, bytes) else sorted(data)}")
    assert fingerprint(functional_portal) == before


def test_sign_decision_form_is_post_only(accepted, functional_portal):
    before = fingerprint(functional_portal)
    response = html_session("approver1").get(
        f"{accepted}/@@sign-decision", params={"transition": "approve", "pin": PIN}, timeout=60
    )
    form_refused(response, "sign-decision GET", statuses=(400, 405))
    assert fingerprint(functional_portal) == before


@pytest.mark.parametrize(
    "data",
    [
        {"approver": "approver1"},
        {"reason": "考核不合格", "grade": "incompetent"},
        {"approver": "approver1", "grade": "incompetent", "reason": "   "},
        {"approver": "", "grade": "excellent", "reason": BIG},
        {"approver": XSS, "grade": ATTR, "reason": ATTR},
        {"approver": "nobody", "grade": "excellent", "reason": "x", "year": XSS},
        b"approver=approver1&grade=incompetent&reason=%FF%FE",
    ],
    ids=[
        "no-reason",
        "no-approver",
        "blank-reason",
        "empty-approver",
        "markup",
        "unknown",
        "invalid-utf8",
    ],
)
def test_record_grade_form(data, functional_portal, functional_granted, clock):
    clock("2026-06-01")
    session = html_session("workgroup")
    token = csrf_token(session, f"{functional_portal.absolute_url()}/@@annual-assessment")
    before = fingerprint(functional_portal)
    url = f"{functional_portal.absolute_url()}/@@record-grade"
    if isinstance(data, bytes):
        response = post_form(session, url, None, token, raw=data)
    else:
        response = post_form(session, url, data, token)
    form_refused(response, f"record-grade {data if isinstance(data, bytes) else sorted(data)}")
    assert fingerprint(functional_portal) == before


def test_renew_twice(functional_portal, functional_granted, clock):
    """Renewing again while the successor exists is refused, not a second successor or a 500."""
    clock("2026-12-15")
    session = html_session("workgroup")
    dashboard = f"{functional_portal.absolute_url()}/approvers/@@authorization-dashboard"
    token = csrf_token(session, dashboard)
    url = f"{functional_granted.absolute_url()}/@@renew-authorization"
    first = post_form(session, url, {}, token)
    assert first.status_code == 200, first.text[:2000]
    before = fingerprint(functional_portal)
    second = post_form(session, url, {}, token)
    form_refused(second, "renew-authorization twice", statuses=(200, 400, 409))
    assert fingerprint(functional_portal) == before


def csv_with_a_bad_row():
    """The bureau's headings and one row whose code is markup (invalid)."""
    from zhangdian.approval.documents.spreadsheet import COLUMNS
    from zhangdian.approval.documents.spreadsheet import to_csv

    row = [""] * len(COLUMNS)
    row[0], row[1], row[2] = XSS, ATTR, "jmss"
    return to_csv([[c.heading for c in COLUMNS], row])


def xlsx_garbage():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook>" + XSS)
    return buffer.getvalue()


IMPORTS = {
    "no-file": None,
    "empty-csv": ("list.csv", b""),
    "invalid-utf8-csv": ("list.csv", b"\xff\xfe\x00\x81\xfe\xff,\x80\n\xc3\x28"),
    "broken-xlsx": ("list.xlsx", xlsx_garbage()),
    "not-a-spreadsheet": ("list.exe", b"MZ\x90\x00\x03"),
    "markup-in-cells": ("list.csv", csv_with_a_bad_row()),
    "name-dot-dot-slash": ("../../etc/passwd", csv_with_a_bad_row()),
    "name-dot-dot-backslash": ("..\\..\\boot.ini", csv_with_a_bad_row()),
    "name-nul-byte": ("list\0.csv", csv_with_a_bad_row()),
    "name-300-chars": ("n" * 296 + ".csv", csv_with_a_bad_row()),
    "above-10MB": ("list.csv", b"a" * (MAX_UPLOAD_BYTES + 1)),
}


@pytest.mark.parametrize("name", IMPORTS)
def test_matters_import_form(name, functional_portal, functional_matter_list):
    session = html_session("workgroup")
    url = f"{functional_matter_list.absolute_url()}/@@matters-import"
    token = csrf_token(session, url)
    before = fingerprint(functional_portal)
    upload = IMPORTS[name]
    files = {"file": upload} if upload else {"file": ("", b"")}
    response = post_form(session, url, {}, token, files=files)
    form_refused(response, f"matters-import {name}")
    assert fingerprint(functional_portal) == before


@pytest.mark.parametrize(
    "params",
    [{"number": XSS, "code": ATTR}, {"number": BIG, "code": "x"}, {"code": "ABCD2345"}],
    ids=["markup", "number-100kB", "code-only"],
)
def test_application_status_form(params, functional_portal, functional_granted):
    before = fingerprint(functional_portal)
    response = html_session(None).get(
        f"{functional_portal.absolute_url()}/@@application-status", params=params, timeout=60
    )
    no_traceback(response)
    assert response.status_code == 200
    escaped(response)
    if "number" in params:
        assert "zd-status-not-found" in response.text or MESSAGE.search(response.text)
    record(f"application-status page {sorted(params)}", response, "page")
    assert fingerprint(functional_portal) == before


@pytest.mark.parametrize(
    "who,target,action",
    [
        ("member", "application", "accept"),
        ("approver1", "application", "approve"),
        ("approver1", "application", XSS),
        ("approver1", "application", ""),
        ("workgroup", "authorization", "grant"),
        ("approver1", "authorization", "suspend"),
    ],
    ids=[
        "applicant-accepts",
        "approve-without-signature",
        "unknown-action",
        "empty-action",
        "grant-active",
        "approver-suspends-self",
    ],
)
def test_content_status_modify(
    who, target, action, accepted, functional_portal, functional_granted
):
    url = accepted if target == "application" else functional_granted.absolute_url()
    session = html_session(who)
    token = csrf_token(session, accepted if who != "workgroup" else url)
    before = fingerprint(functional_portal)
    response = post_form(
        session, f"{url}/content_status_modify", {"workflow_action": action}, token
    )
    form_refused(response, f"content_status_modify {who} {action[:10]}", (200, 400, 401, 403))
    assert fingerprint(functional_portal) == before


# CSRF: every state-changing form of ours, POSTed without _authenticator, is a 403.
def export_with_a_renamed_matter(session, matter_list):
    csv = session.get(
        f"{matter_list.absolute_url()}/@@matters-export", params={"format": "csv"}, timeout=60
    ).content
    assert "营业执照注销登记".encode() in csv
    return csv.replace("营业执照注销登记".encode(), "改名".encode())


CSRF_FORMS = [
    ("record-grade", "workgroup"),
    ("renew-authorization", "workgroup"),
    ("matters-import", "workgroup"),
    ("content_status_modify-application", "approver1"),
    ("content_status_modify-authorization", "workgroup"),
    ("calendar-controlpanel", "workgroup"),
    ("application-edit", "member"),
]


@pytest.mark.parametrize("form,who", CSRF_FORMS, ids=[f for f, _w in CSRF_FORMS])
def test_forms_refuse_without_csrf_token(
    form, who, functional_portal, functional_granted, user_request, clock
):
    clock("2026-03-02")
    site = functional_portal.absolute_url()
    submitted = user_request("member").post(f"{site}/applications", json=application()).json()
    session = html_session(who)
    files = None
    if form == "record-grade":
        url = f"{site}/@@record-grade"
        data = {"approver": "approver1", "grade": "incompetent", "reason": "不合格"}
    elif form == "renew-authorization":
        url, data = f"{functional_granted.absolute_url()}/@@renew-authorization", {}
    elif form == "matters-import":
        url, data = f"{site}/matters/@@matters-import", {}
        csv = export_with_a_renamed_matter(session, functional_portal["matters"])
        files = {"file": ("list.csv", csv)}
    elif form == "content_status_modify-application":
        url, data = f"{submitted['@id']}/content_status_modify", {"workflow_action": "accept"}
    elif form == "content_status_modify-authorization":
        url = f"{functional_granted.absolute_url()}/content_status_modify"
        data = {"workflow_action": "suspend", "comment": "x"}
    elif form == "calendar-controlpanel":
        url = f"{site}/@@approval-calendar-controlpanel"
        data = {
            "form.widgets.holidays": "2027-01-01 元旦",
            "form.widgets.makeup_workdays": "",
            "form.buttons.save": "Save",
        }
    else:
        url = f"{submitted['@id']}/@@edit"
        data = {"form.widgets.applicant_name": "改名", "form.buttons.save": "Save"}
    before = fingerprint(functional_portal)
    response = session.post(url, data=data, files=files, timeout=120, allow_redirects=False)
    no_traceback(response)
    # Plone's own z3c.form forms: plone.protect aborts the transaction and the form answers as
    # usual (a redirect, or the form again); nothing may be stored. Ours answer 403.
    plone_form = form in ("calendar-controlpanel", "application-edit")
    statuses = (200, 302, 403) if plone_form else (403,)
    assert response.status_code in statuses, (
        response.status_code,
        response.headers.get("Location"),
        response.text[-3000:],
    )
    record(f"CSRF {form}", response, str(response.status_code))
    assert fingerprint(functional_portal) == before


# Stored markup comes back escaped in every page that shows it.
def test_application_text_is_escaped(accepted, functional_portal, user_request):
    site = functional_portal.absolute_url()
    member, approver = user_request("member"), user_request("approver1")
    response = member.post(
        f"{site}/applications",
        json=application(applicant_name=XSS, contact_person=ATTR, remarks=f"{XSS}{ATTR}"),
    )
    assert response.status_code == 201, response.text
    url = response.json()["@id"]
    assert approver.post(f"{url}/@workflow/accept").status_code == 200
    pages = {"queue": f"{site}/@@approval-queue", "listing": f"{site}/applications", "view": url}
    for name, page in pages.items():
        escaped(html_session("approver1").get(page, timeout=60))
        assert html.escape(XSS) in html_session("approver1").get(page, timeout=60).text, name
    notice = approver.post(f"{url}/@workflow/request_supplement", json={"comment": XSS + ATTR})
    assert notice.status_code == 200, notice.text
    assert member.post(f"{url}/@workflow/resubmit").status_code == 200
    assert (
        approver.patch(
            url,
            json={
                "checked_materials": ["m0", "m1"],
                "legal_basis_confirmed": True,
                "conditions_confirmed": True,
            },
        ).status_code
        == 204
    )
    refused = approver.post(
        f"{url}/@sign-server", json={"transition": "refuse", "reason": XSS + ATTR, "pin": PIN}
    )
    assert refused.status_code == 200, refused.text
    transaction.begin()
    application_object = functional_portal["applications"][url.rsplit("/", 1)[1]]
    number, code = application_object.number, application_object.query_code
    for who, page, params in (
        ("member", url, None),
        ("approver1", url, None),
        ("member", f"{site}/applications", None),
        (None, f"{site}/@@application-status", {"number": number, "code": code}),
        ("auditor", f"{site}/@@audit-journal", None),
    ):
        response = html_session(who).get(page, params=params, timeout=60)
        assert response.status_code == 200, (who, page)
        escaped(response)


def test_matter_text_is_escaped(functional_portal, functional_matter_list, user_request):
    workgroup = user_request("workgroup")
    data = matter(
        title=XSS,
        description=ATTR,
        legal_basis=XSS,
        conditions=ATTR,
        contact_window=XSS,
        materials=[{"name": ATTR, "form": "original", "copies": 1, "required": True, "notes": XSS}],
        process_steps=[{"step": XSS, "actor": ATTR, "days": 5}],
    )
    created = workgroup.post(f"{functional_matter_list.absolute_url()}/jmss", json=data)
    assert created.status_code == 201, created.text
    url = created.json()["@id"]
    assert workgroup.post(f"{url}/@workflow/publish").status_code == 200
    anonymous = html_session(None)
    for page, params in (
        (url, None),
        (f"{url}/@@flowchart.svg", None),
        (url.replace("/matters/", "/++api++/matters/") + "/@flowchart", None),
        (functional_matter_list.absolute_url(), None),
        (functional_matter_list.absolute_url(), {"q": XSS}),
        (f"{functional_matter_list.absolute_url()}/jmss", {"q": ATTR, "category": XSS}),
    ):
        response = anonymous.get(page, params=params, timeout=60)
        assert response.status_code == 200, page
        escaped(response)
