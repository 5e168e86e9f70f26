"""Issue 8: bad input to every form and REST endpoint of ours is refused clearly, stores nothing.

For each case: REST answers a 4xx JSON `{"type", "message"}` (message not empty); a form is
shown again with an error or status message (200/400), never a 500; no traceback in the body;
the fingerprint of the stored state (objects, states, modification dates, workflow history,
pending signatures, findings, audit journal, our registry settings) is the same before and
after. Stored text comes back escaped in HTML pages.

Bad input already covered elsewhere (not repeated here): tests/application/
test_application_restapi.py (unknown/draft matter, wrong USCC check character, ID number,
phone letters, empty and 201-char name, queue b_size/b_start/review_state, status lookup
without code), test_application_decision.py (sign-prepare {}, reason 5, transition publish,
certificate "not base64!", text/plain and urlencoded 415, malformed JSON on sign-complete,
@@sign-decision without CSRF token), tests/restapi/test_fuzz_regressions.py (batching),
test_restapi_matters.py (matter code, promised > statutory, duplicate code),
tests/authorization/test_authorization_restapi.py (@authorization-check missing/unknown),
tests/audit/ (journal b_size 0, assessment year abc, spot-check problem without details).
"""

from tests.helpers.approval import PASSWORD
from tests.helpers.approval import PIN
from tests.helpers.approval import application_data
from tests.helpers.approval import make_matter_data
from tests.helpers.approval import social_credit_code
from dataclasses import dataclass
from dataclasses import field
from plone import api
from zhangdian.approval.audit import journal
from zhangdian.approval.browser.spreadsheet import MAX_UPLOAD_BYTES
from zhangdian.approval.signatures import MAX_PDF
from zhangdian.approval.signatures import PENDING_KEY
from zope.annotation.interfaces import IAnnotations

import base64
import html
import io
import os
import pytest
import re
import requests
import transaction
import zipfile


BIG = "x" * 100_000
XSS = "<script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(1)>'
RAW = (XSS, "<img src=x onerror")
JSON = {"Content-Type": "application/json"}
INVALID_UTF8 = b'{"transition": "refuse", "reason": "\xff\xfe\xfd", "pin": "123456"}'
GB18030 = '{"transition": "refuse", "reason": "经营场所不符合条件", "pin": "123456"}'.encode(
    "gb18030"
)
JSON_UTF8 = {"Content-Type": "application/json; charset=utf-8"}
TRACEBACK = ("Traceback (most recent call last)", 'File "/')
RESULTS = os.environ.get("BAD_INPUT_RESULTS")  # a path: append "case<TAB>status<TAB>type"


def fingerprint(portal):
    """Everything a bad request could change: every object, the journal, pending signatures.

    Per object: review state, modification date, workflow history length, children, the
    pending-signature annotation, spot-check findings and the submitted file's name; the
    audit journal's length and head; the working-day calendar and signing settings.
    """
    transaction.begin()
    objects = {}
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(path="/".join(portal.getPhysicalPath())):
        obj = brain._unrestrictedGetObject()
        history = getattr(obj, "workflow_history", None) or {}
        pending = IAnnotations(obj).get(PENDING_KEY) if brain.portal_type == "Application" else None
        file = getattr(obj, "file", None)
        objects[brain.getPath()] = (
            brain.review_state,
            str(obj.modified()),
            sorted((key, len(value)) for key, value in history.items()),
            sorted(obj.objectIds()) if hasattr(obj, "objectIds") else None,
            sorted(pending) if pending else [],
            repr(getattr(obj, "findings", None)),
            getattr(file, "filename", None),
            getattr(obj, "decision_reason", None),
        )
    log = journal()
    registry = api.portal.get_tool("portal_registry")
    settings = {
        key: repr(registry[key])
        for key in registry.records.keys()  # noqa: SIM118 (a BTree-like mapping)
        if key.startswith("zhangdian.approval")
    }
    return {"objects": objects, "journal": (log.length, log.head), "settings": settings}


def html_session(userid):
    """A browser-like session (HTML pages, English), logged in as `userid` (None: anonymous)."""
    session = requests.Session()
    if userid:
        session.auth = (userid, PASSWORD)
    session.headers["Accept-Language"] = "en"
    return session


TOKEN = re.compile(
    r'name="_authenticator"[^>]*value="(\w+)"|value="(\w+)"[^>]*name="_authenticator"'
    r"|_authenticator=(\w+)"
)


def csrf_token(session, url):
    """The user's CSRF token, read from a page of ours that carries a form."""
    page = session.get(url, timeout=60)
    assert page.status_code == 200, (url, page.status_code)
    found = TOKEN.search(page.text)
    assert found, f"no _authenticator on {url}"
    return found.group(1) or found.group(2) or found.group(3)


def record(case_id, response, kind):
    """Note the observed answer (for the report) when BAD_INPUT_RESULTS names a file."""
    if RESULTS:
        with open(RESULTS, "a", encoding="utf-8") as out:
            out.write(f"{case_id}\t{response.status_code}\t{kind}\n")


def server_errors():
    """The tracebacks the portal's error log holds (the test server runs in this process)."""
    entries = api.portal.get().error_log.getLogEntries()
    return "\n".join(entry.get("tb_text", "") for entry in entries[-2:])


def no_traceback(response):
    """No server error and no traceback in the body."""
    if response.status_code >= 500:
        pytest.fail(f"{response.status_code}: {response.text[:1000]}\n{server_errors()}")
    for marker in TRACEBACK:
        assert marker not in response.text, response.text[:2000]


def json_error(response, statuses):
    """A 4xx JSON error with a type and a non-empty message; returns the type."""
    no_traceback(response)
    assert response.status_code in statuses, (response.status_code, response.text[:1000])
    assert response.headers["Content-Type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict), body
    error = body["error"] if "error" in body and "type" not in body else body
    assert isinstance(error.get("type"), str) and error["type"], body
    assert isinstance(error.get("message"), str) and error["message"].strip(), body
    return error["type"]


def escaped(response):
    """No raw injected markup in an HTML page."""
    no_traceback(response)
    for raw in RAW:
        assert raw not in response.text, response.text[response.text.find(raw) - 300 :][:600]


def b64(data):
    return base64.b64encode(data).decode()


@dataclass(frozen=True)
class Case:
    """One bad request: who sends it, where (a template on the world's URLs) and what."""

    id: str
    who: str | None
    method: str
    target: str
    statuses: tuple = (400,)
    params: object = None
    json: object = None
    data: bytes | None = None
    headers: dict = field(default_factory=dict)


def send(case, world):
    """Send the case's request with HTTP basic auth, asking for JSON."""
    headers = {"Accept": "application/json", **case.headers}
    kwargs = {"params": case.params, "headers": headers, "timeout": 120}
    if case.json is not None:
        kwargs["json"] = case.json
    if case.data is not None:
        kwargs["data"] = case.data
    session = html_session(case.who)
    return session.request(case.method, case.target.format(**world), **kwargs)


def run(case, world, portal):
    before = fingerprint(portal)
    response = send(case, world)
    kind = json_error(response, case.statuses)
    record(case.id, response, kind)
    assert fingerprint(portal) == before, case.id


# GET endpoints and @verify: a site with the matter list and approver1's authorisation.
SITE_CASES = [
    Case(
        "status-number-100kB",
        None,
        "GET",
        "{site}/@application-status",
        (404,),
        params={"number": BIG, "code": "ABCD2345"},
    ),
    Case(
        "status-markup",
        None,
        "GET",
        "{site}/@application-status",
        (404,),
        params={"number": XSS, "code": ATTR},
    ),
    Case(
        "status-code-only",
        None,
        "GET",
        "{site}/@application-status",
        (400,),
        params={"code": "ABCD2345"},
    ),
    Case(
        "status-empty-strings",
        None,
        "GET",
        "{site}/@application-status",
        (400,),
        params={"number": " ", "code": ""},
    ),
    Case(
        "status-repeated-number",
        None,
        "GET",
        "{site}/@application-status",
        (400, 404),
        params=[("number", "ZD-2026-000001"), ("number", "x"), ("code", "A")],
    ),
    Case("verify-get-missing", None, "GET", "{site}/@verify", (400, 404)),
    Case(
        "verify-get-100kB",
        None,
        "GET",
        "{site}/@verify",
        (400, 404),
        params={"number": BIG, "code": BIG},
    ),
    Case(
        "verify-get-markup",
        None,
        "GET",
        "{site}/@verify",
        (400, 404),
        params={"number": XSS, "code": ATTR},
    ),
    Case(
        "verify-get-repeated",
        None,
        "GET",
        "{site}/@verify",
        (400, 404),
        params=[("number", "a"), ("number", "b"), ("code", "c")],
    ),
    Case("verify-post-missing", None, "POST", "{site}/@verify", json={}),
    Case("verify-post-not-base64", None, "POST", "{site}/@verify", json={"file": "%%%not"}),
    Case("verify-post-number", None, "POST", "{site}/@verify", json={"file": 12345}),
    Case("verify-post-list-body", None, "POST", "{site}/@verify", json=["file"]),
    Case("verify-post-malformed", None, "POST", "{site}/@verify", data=b'{"file": ', headers=JSON),
    Case(
        "verify-post-invalid-utf8",
        None,
        "POST",
        "{site}/@verify",
        data=b'{"file": "\xff\xfe"}',
        headers=JSON,
    ),
    Case(
        "verify-post-text-plain",
        None,
        "POST",
        "{site}/@verify",
        (415,),
        data=b'{"file": "aGVsbG8="}',
        headers={"Content-Type": "text/plain"},
    ),
    Case(
        "queue-state-list-with-unknown",
        "approver1",
        "GET",
        "{site}/@approval-queue",
        params=[("review_state", "submitted"), ("review_state", XSS)],
    ),
    Case(
        "queue-b-start-float",
        "approver1",
        "GET",
        "{site}/@approval-queue",
        params={"b_start": "1e3"},
    ),
    Case("queue-b-size-empty", "approver1", "GET", "{site}/@approval-queue", params={"b_size": ""}),
    Case("queue-anonymous", None, "GET", "{site}/@approval-queue", (401,)),
    Case(
        "check-100kB",
        "approver1",
        "GET",
        "{site}/@authorization-check",
        (404,),
        params={"matter": BIG},
    ),
    Case(
        "check-markup",
        "approver1",
        "GET",
        "{site}/@authorization-check",
        (404,),
        params={"matter": XSS},
    ),
    Case(
        "check-empty",
        "approver1",
        "GET",
        "{site}/@authorization-check",
        (400,),
        params={"matter": "  "},
    ),
    Case(
        "check-repeated",
        "approver1",
        "GET",
        "{site}/@authorization-check",
        (400, 404),
        params=[("matter", "XK-T-001"), ("matter", "XK-T-002")],
    ),
    Case("my-authorizations-anonymous", None, "GET", "{site}/@my-authorizations", (401,)),
    Case("matters-b-size-text", None, "GET", "{site}/@matters", params={"b_size": XSS}),
    Case(
        "matters-b-start-negative-100kB",
        None,
        "GET",
        "{site}/@matters",
        params={"b_start": "-" + "9" * 5000},
    ),
    Case("journal-b-size-501", "auditor", "GET", "{site}/@audit-journal", params={"b_size": 501}),
    Case(
        "journal-b-start-negative",
        "auditor",
        "GET",
        "{site}/@audit-journal",
        params={"b_start": -1},
    ),
    Case("journal-b-size-text", "auditor", "GET", "{site}/@audit-journal", params={"b_size": XSS}),
    Case("journal-member", "member", "GET", "{site}/@audit-journal", (401, 403)),
    Case("assessment-missing", "auditor", "GET", "{site}/@annual-assessment"),
    Case("assessment-1999", "auditor", "GET", "{site}/@annual-assessment", params={"year": 1999}),
    Case(
        "assessment-100k-digits",
        "auditor",
        "GET",
        "{site}/@annual-assessment",
        params={"year": "9" * 100_000},
    ),
    Case(
        "assessment-repeated",
        "auditor",
        "GET",
        "{site}/@annual-assessment",
        params=[("year", "2026"), ("year", "2027")],
    ),
    Case("assessment-member", "member", "GET", "{site}/@annual-assessment", (401, 403)),
    Case("flowchart-unknown-matter", None, "GET", "{site}/matters/jmss/nope/@flowchart", (404,)),
    Case(
        "flowchart-draft-anonymous",
        None,
        "GET",
        "{site}/matters/jmss/xk-t-003/@flowchart",
        (401, 404),
    ),
]


@pytest.mark.parametrize("case", SITE_CASES, ids=lambda c: c.id)
def test_site_endpoints(case, functional_portal, functional_granted, clock):
    clock("2026-03-02")
    run(case, {"site": functional_portal.absolute_url()}, functional_portal)


def test_verify_refuses_a_pdf_above_the_limit(functional_portal, functional_matter_list):
    """@verify reads at most MAX_PDF (10 MiB): 1 KiB more is a 400.

    The limit is checked on the base64 text (MAX_PDF * 4 // 3 + 4 characters), so up to
    MAX_PDF + 2 bytes still pass; a limit, not an exact one.
    """
    case = Case(
        "verify-post-above-MAX_PDF",
        None,
        "POST",
        "{site}/@verify",
        json={"file": b64(b"%PDF" + b"\0" * (MAX_PDF + 1020))},
    )
    run(case, {"site": functional_portal.absolute_url()}, functional_portal)


@pytest.mark.parametrize(
    "pdf",
    [b"hello", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"],
    ids=["not-a-pdf", "unsigned-pdf"],
)
def test_verify_answers_not_valid_for_what_is_no_signed_decision(
    pdf, functional_portal, functional_matter_list
):
    """Not an error but the verdict: 200 with valid and intact false (as for a tampered PDF)."""
    before = fingerprint(functional_portal)
    response = html_session(None).post(
        f"{functional_portal.absolute_url()}/@verify",
        json={"file": b64(pdf)},
        headers={"Accept": "application/json"},
        timeout=60,
    )
    no_traceback(response)
    assert response.status_code == 200
    assert response.json()["valid"] is False and response.json()["intact"] is False
    record(f"verify-post-{pdf[:5]!r}", response, "verdict valid=false")
    assert fingerprint(functional_portal) == before


# The signature steps on an application accepted by approver1 (checklist complete).
CERT_NOT_A_CERT = b64(b"\x30\x03\x02\x01\x05")
SIGN_CASES = [
    Case(
        "prepare-empty-transition",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        json={"transition": ""},
    ),
    Case(
        "prepare-transition-number",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        json={"transition": 5},
    ),
    Case(
        "prepare-transition-object",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        json={"transition": {"approve": True}},
    ),
    Case(
        "prepare-reason-100kB",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        json={"transition": "refuse", "reason": BIG},
    ),
    Case("prepare-list-body", "approver1", "POST", "{app}/@sign-prepare", json=["approve"]),
    Case(
        "prepare-invalid-utf8",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        data=INVALID_UTF8,
        headers=JSON_UTF8,
    ),
    Case(
        "prepare-gb18030-as-utf8",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        data=GB18030,
        headers=JSON_UTF8,
    ),
    Case(
        "prepare-der-not-a-certificate",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        json={"transition": "approve", "certificate": CERT_NOT_A_CERT},
    ),
    Case(
        "prepare-certificate-list",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        json={"transition": "approve", "certificate": ["-----BEGIN CERTIFICATE-----"]},
    ),
    Case(
        "prepare-pem-garbage",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        json={
            "transition": "approve",
            "certificate": f"-----BEGIN CERTIFICATE-----\n{XSS}\n-----END CERTIFICATE-----",
        },
    ),
    Case(
        "prepare-by-applicant",
        "member",
        "POST",
        "{app}/@sign-prepare",
        (401, 403),
        json={"transition": "approve"},
    ),
    Case("complete-missing", "approver1", "POST", "{app}/@sign-complete", json={}),
    Case(
        "complete-nonce-number",
        "approver1",
        "POST",
        "{app}/@sign-complete",
        json={"nonce": 5, "signature": b64(b"sig"), "certificate": CERT_NOT_A_CERT},
    ),
    Case(
        "complete-signature-not-base64",
        "approver1",
        "POST",
        "{app}/@sign-complete",
        json={"nonce": "n", "signature": "%%%", "certificate": CERT_NOT_A_CERT},
    ),
    Case(
        "complete-signature-above-64KiB",
        "approver1",
        "POST",
        "{app}/@sign-complete",
        json={"nonce": "n", "signature": b64(b"s" * 70_000), "certificate": CERT_NOT_A_CERT},
    ),
    Case(
        "complete-certificate-garbage",
        "approver1",
        "POST",
        "{app}/@sign-complete",
        json={"nonce": "n", "signature": b64(b"sig"), "certificate": CERT_NOT_A_CERT},
    ),
    Case(
        "complete-nonce-100kB",
        "approver1",
        "POST",
        "{app}/@sign-complete",
        json={"nonce": BIG, "signature": b64(b"sig"), "certificate": CERT_NOT_A_CERT},
    ),
    Case("complete-list-body", "approver1", "POST", "{app}/@sign-complete", json=[1, 2]),
    Case(
        "complete-invalid-utf8",
        "approver1",
        "POST",
        "{app}/@sign-complete",
        data=b'{"nonce": "\xff", "signature": "", "certificate": ""}',
        headers=JSON,
    ),
    Case(
        "complete-text-plain",
        "approver1",
        "POST",
        "{app}/@sign-complete",
        (415,),
        data=b'{"nonce": "n"}',
        headers={"Content-Type": "text/plain"},
    ),
    Case("server-missing", "approver1", "POST", "{app}/@sign-server", json={}),
    Case(
        "server-empty-pin",
        "approver1",
        "POST",
        "{app}/@sign-server",
        json={"transition": "approve", "pin": ""},
    ),
    Case(
        "server-pin-number",
        "approver1",
        "POST",
        "{app}/@sign-server",
        json={"transition": "approve", "pin": 123456},
    ),
    Case(
        "server-pin-100kB",
        "approver1",
        "POST",
        "{app}/@sign-server",
        json={"transition": "approve", "pin": BIG},
    ),
    Case(
        "server-unknown-transition",
        "approver1",
        "POST",
        "{app}/@sign-server",
        json={"transition": XSS, "pin": PIN},
    ),
    Case(
        "server-wrong-pin",
        "approver1",
        "POST",
        "{app}/@sign-server",
        (400, 401, 403),
        json={"transition": "approve", "pin": "000000"},
    ),
    Case(
        "server-reason-100kB",
        "approver1",
        "POST",
        "{app}/@sign-server",
        json={"transition": "refuse", "reason": BIG, "pin": PIN},
    ),
    Case(
        "server-refuse-empty-reason",
        "approver1",
        "POST",
        "{app}/@sign-server",
        (400, 403),
        json={"transition": "refuse", "reason": "   ", "pin": PIN},
    ),
    Case(
        "server-reason-lone-surrogate",
        "approver1",
        "POST",
        "{app}/@sign-server",
        json={"transition": "refuse", "reason": "\udcff\udcfe", "pin": PIN},
    ),
    Case("server-list-body", "approver1", "POST", "{app}/@sign-server", json=[]),
    Case(
        "server-malformed",
        "approver1",
        "POST",
        "{app}/@sign-server",
        data=b'{"transition": "approve", "pin": "123456"',
        headers=JSON,
    ),
    Case(
        "server-invalid-utf8",
        "approver1",
        "POST",
        "{app}/@sign-server",
        data=INVALID_UTF8,
        headers=JSON_UTF8,
    ),
    Case(
        "server-gb18030-as-utf8",
        "approver1",
        "POST",
        "{app}/@sign-server",
        data=GB18030,
        headers=JSON_UTF8,
    ),
    Case(
        "server-text-plain",
        "approver1",
        "POST",
        "{app}/@sign-server",
        (415,),
        data=b'{"transition": "approve", "pin": "123456"}',
        headers={"Content-Type": "text/plain"},
    ),
]


@pytest.mark.parametrize("case", SIGN_CASES, ids=lambda c: getattr(c, "id", None))
def test_signature_steps(case, accepted, functional_portal):
    run(case, {"app": accepted}, functional_portal)


FINDING_CASES = [
    Case("finding-missing", "workgroup", "POST", "{check}/@spot-check-finding", json={}),
    Case(
        "finding-unknown-finding",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "maybe"},
    ),
    Case(
        "finding-number-number",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": 2026, "finding": "compliant"},
    ),
    Case(
        "finding-number-100kB",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": BIG, "finding": "compliant"},
    ),
    Case(
        "finding-number-not-sampled",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "ZD-2026-999999", "finding": "compliant"},
    ),
    Case(
        "finding-description-100kB",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "problem", "category": "材料", "description": BIG},
    ),
    Case(
        "finding-category-list",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "problem", "category": ["a"], "description": "d"},
    ),
    Case(
        "finding-corrected-on-not-a-date",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "compliant", "corrected_on": XSS},
    ),
    Case(
        "finding-description-lone-surrogate",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        json={"number": "{number}", "finding": "problem", "category": "c", "description": "\ud800"},
    ),
    Case("finding-list-body", "workgroup", "POST", "{check}/@spot-check-finding", json=[{}]),
    Case(
        "finding-invalid-utf8",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        data=b'{"number": "\xff", "finding": "compliant"}',
        headers=JSON,
    ),
    Case(
        "finding-malformed",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        data=b'{"number": ',
        headers=JSON,
    ),
    Case(
        "finding-text-plain",
        "workgroup",
        "POST",
        "{check}/@spot-check-finding",
        (415,),
        data=b'{"finding": "compliant"}',
        headers={"Content-Type": "text/plain"},
    ),
    Case(
        "finding-by-member",
        "member",
        "POST",
        "{check}/@spot-check-finding",
        (401, 403),
        json={"number": "{number}", "finding": "compliant"},
    ),
]


def fill(value, world):
    """Put the world's values into the strings of a JSON body."""
    if isinstance(value, str):
        return value.format(**world) if value == "{number}" else value
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, world) for item in value]
    return value


@pytest.mark.parametrize("case", FINDING_CASES, ids=lambda c: c.id)
def test_spot_check_finding(case, spot_check, functional_portal):
    url, number = spot_check
    world = {"check": url, "number": number}
    if case.json is not None:
        case = Case(**{**case.__dict__, "json": fill(case.json, world)})
    run(case, world, functional_portal)


# plone.restapi POST and PATCH of our types with bad field values.
def person_id(body):
    """A resident ID number with its check character (GB 11643)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def application(**overrides):
    return {"@type": "Application", **application_data(), **overrides}


def authorization(**overrides):
    data = {
        "@type": "ApproverAuthorization",
        "approver": "member",
        "scope_categories": ["jmss"],
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "joined_department": "2020-03-01",
        "exam_date": "2025-06-01",
        "exam_score": 86,
        "exam_certificate_no": "ZD-EXAM-0002",
        "training_records": "培训",
        "last_appraisal": "competent",
    }
    data.update(overrides)
    return data


def matter(**overrides):
    return {"@type": "Matter", **make_matter_data("XK-T-009", "新事项", 5, 20), **overrides}


CONTENT_CASES = [
    Case(
        "application-person-id-wrong-date",
        "member",
        "POST",
        "{site}/applications",
        json=application(
            applicant_kind="person",
            applicant_name="张三",
            applicant_identifier=person_id("37030319900230123"),
        ),
    ),
    Case(
        "application-uscc-wrong-check-lowercase",
        "member",
        "POST",
        "{site}/applications",
        json=application(applicant_identifier=social_credit_code()[:-1].lower() + "0"),
    ),
    Case(
        "application-name-number",
        "member",
        "POST",
        "{site}/applications",
        json=application(applicant_name=5),
    ),
    Case(
        "application-matter-list",
        "member",
        "POST",
        "{site}/applications",
        json=application(matter=["XK-T-001"]),
    ),
    Case(
        "application-matter-markup",
        "member",
        "POST",
        "{site}/applications",
        json=application(matter=XSS),
    ),
    Case(
        "application-remarks-100kB",
        "member",
        "POST",
        "{site}/applications",
        json=application(remarks=BIG),
    ),
    Case(
        "application-phone-100kB-digits",
        "member",
        "POST",
        "{site}/applications",
        json=application(contact_phone="1" * 100_000),
    ),
    Case(
        "application-phone-fullwidth-letters",
        "member",
        "POST",
        "{site}/applications",
        json=application(contact_phone="0533-ＡＢＣＤ"),
    ),
    Case(
        "application-kind-unknown",
        "member",
        "POST",
        "{site}/applications",
        json=application(applicant_kind="alien"),
    ),
    Case(
        "application-missing-identifier",
        "member",
        "POST",
        "{site}/applications",
        json={k: v for k, v in application().items() if k != "applicant_identifier"},
    ),
    pytest.param(
        Case(
            "application-list-body", "member", "POST", "{site}/applications", json=[application()]
        ),
        marks=pytest.mark.xfail(
            strict=True, reason="plone.restapi answers 500 DeserializationError"
        ),
    ),
    pytest.param(
        Case(
            "application-malformed",
            "member",
            "POST",
            "{site}/applications",
            data=b'{"@type": "Application", ',
            headers=JSON,
        ),
        marks=pytest.mark.xfail(
            strict=True, reason="plone.restapi answers 500 DeserializationError"
        ),
    ),
    pytest.param(
        Case(
            "application-invalid-utf8",
            "member",
            "POST",
            "{site}/applications",
            data=b'{"@type": "Application", "applicant_name": "\xff\xfe"}',
            headers=JSON,
        ),
        marks=pytest.mark.xfail(
            strict=True, reason="plone.restapi answers 500 DeserializationError"
        ),
    ),
    pytest.param(
        Case(
            "application-gb18030-as-utf8",
            "member",
            "POST",
            "{site}/applications",
            data=str(application()).replace("'", '"').replace("True", "true").encode("gb18030"),
            headers=JSON_UTF8,
        ),
        marks=pytest.mark.xfail(
            strict=True, reason="plone.restapi answers 500 DeserializationError"
        ),
    ),
    Case(
        "material-unknown-line",
        "member",
        "POST",
        "{submitted}",
        json={
            "@type": "SubmittedMaterial",
            "material": "m9",
            "file": {
                "data": b64(b"%PDF-1.4"),
                "encoding": "base64",
                "filename": "a.pdf",
                "content-type": "application/pdf",
            },
        },
    ),
    Case(
        "material-no-file",
        "member",
        "POST",
        "{submitted}",
        json={"@type": "SubmittedMaterial", "material": "m0"},
    ),
    Case(
        "material-file-not-base64",
        "member",
        "POST",
        "{submitted}",
        json={
            "@type": "SubmittedMaterial",
            "material": "m0",
            "file": {"data": "%%%", "encoding": "base64", "filename": "a.pdf"},
        },
    ),
    pytest.param(
        Case(
            "material-file-number",
            "member",
            "POST",
            "{submitted}",
            json={"@type": "SubmittedMaterial", "material": "m0", "file": 5},
        ),
        marks=pytest.mark.xfail(
            strict=True, reason="plone.namedfile: ComponentLookupError (500) for a number"
        ),
    ),
    Case(
        "authorization-until-before-from",
        "workgroup",
        "POST",
        "{site}/approvers",
        json=authorization(valid_until="2025-12-31"),
    ),
    Case(
        "authorization-term-over-a-year",
        "workgroup",
        "POST",
        "{site}/approvers",
        json=authorization(valid_until="2027-06-30"),
    ),
    Case(
        "authorization-score-text",
        "workgroup",
        "POST",
        "{site}/approvers",
        json=authorization(exam_score="eighty"),
    ),
    Case(
        "authorization-date-not-a-date",
        "workgroup",
        "POST",
        "{site}/approvers",
        json=authorization(joined_department="2020-02-30"),
    ),
    Case(
        "authorization-scope-unknown-category",
        "workgroup",
        "POST",
        "{site}/approvers",
        json=authorization(scope_categories=[XSS]),
    ),
    Case(
        "authorization-appraisal-unknown",
        "workgroup",
        "POST",
        "{site}/approvers",
        json=authorization(last_appraisal="excellent!"),
    ),
    Case(
        "authorization-patch-term",
        "workgroup",
        "PATCH",
        "{authorization}",
        json={"valid_until": "2028-12-31"},
    ),
    Case(
        "authorization-patch-score-list",
        "workgroup",
        "PATCH",
        "{authorization}",
        json={"exam_score": [86]},
    ),
    Case(
        "matter-days-text",
        "workgroup",
        "POST",
        "{site}/matters/jmss",
        json=matter(statutory_days="twenty"),
    ),
    Case(
        "matter-materials-object",
        "workgroup",
        "POST",
        "{site}/matters/jmss",
        json=matter(materials={"name": "申请书"}),
    ),
    Case(
        "matter-risk-unknown",
        "workgroup",
        "POST",
        "{site}/matters/jmss",
        json=matter(risk_level="extreme"),
    ),
    Case("matter-code-markup", "workgroup", "POST", "{site}/matters/jmss", json=matter(code=ATTR)),
    Case(
        "matter-code-missing",
        "workgroup",
        "POST",
        "{site}/matters/jmss",
        json={k: v for k, v in matter().items() if k != "code"},
    ),
    Case(
        "matter-patch-steps-days-negative",
        "workgroup",
        "PATCH",
        "{site}/matters/jmss/xk-t-001",
        json={"process_steps": [{"step": "受理", "actor": "x", "days": -3}]},
    ),
    Case(
        "matter-patch-material-name-number",
        "workgroup",
        "PATCH",
        "{site}/matters/jmss/xk-t-001",
        json={"materials": [{"name": 5, "form": "original", "copies": 1, "required": True}]},
    ),
]


@pytest.mark.parametrize("case", CONTENT_CASES, ids=lambda c: getattr(c, "id", None))
def test_content(case, functional_portal, functional_granted, user_request, clock):
    clock("2026-03-02")
    submitted = user_request("member").post(
        f"{functional_portal.absolute_url()}/applications", json=application()
    )
    assert submitted.status_code == 201, submitted.text
    world = {
        "site": functional_portal.absolute_url(),
        "submitted": submitted.json()["@id"],
        "authorization": functional_granted.absolute_url(),
    }
    run(case, world, functional_portal)


@pytest.mark.parametrize(
    "body",
    [
        {"checked_materials": ["m9"]},
        pytest.param(
            {"checked_materials": {"m0": True}},
            marks=pytest.mark.xfail(
                strict=True, reason="plone.restapi: TypeError unhashable dict (500)"
            ),
        ),
        {"review_notes": BIG},
        {"legal_basis_confirmed": {"yes": 1}},
    ],
    ids=["unknown-material", "materials-object", "notes-100kB", "confirmed-object"],
)
def test_review_checklist_patch(body, accepted, functional_portal):
    """The review checklist with values of the wrong type or outside the matter's materials."""
    case = Case(f"checklist-{sorted(body)[0]}", "approver1", "PATCH", "{app}", json=body)
    run(case, {"app": accepted}, functional_portal)


# File names of a submitted material: stored as a plain base name or refused.
@pytest.mark.parametrize(
    "filename",
    ["../../etc/passwd", "..\\..\\boot.ini", "a\0.pdf", "n" * 296 + ".pdf", f"{XSS}.pdf"],
    ids=["dot-dot-slash", "dot-dot-backslash", "nul-byte", "300-chars", "markup"],
)
def test_material_file_name_tricks(filename, functional_portal, functional_granted, user_request):
    member = user_request("member")
    url = member.post(
        f"{functional_portal.absolute_url()}/applications", json=application()
    ).json()["@id"]
    before = fingerprint(functional_portal)
    response = member.post(
        url,
        json={
            "@type": "SubmittedMaterial",
            "material": "m0",
            "file": {
                "data": b64(b"%PDF-1.4 material"),
                "encoding": "base64",
                "filename": filename,
                "content-type": "application/pdf",
            },
        },
    )
    no_traceback(response)
    transaction.begin()
    if response.status_code >= 400:
        record(f"material-filename-{filename[:20]!r}", response, json_error(response, (400,)))
        assert fingerprint(functional_portal) == before
        return
    assert response.status_code == 201, response.text
    record(f"material-filename-{filename[:20]!r}", response, "stored")
    material = functional_portal["applications"][url.rsplit("/", 1)[1]].objectValues()[0]
    stored = material.file.filename
    assert "/" not in stored and "\\" not in stored and "\0" not in stored, stored
    assert ".." not in stored.split(".pdf")[0].strip("."), stored
    # Shown escaped on the application page, downloadable without a server error.
    escaped(html_session("member").get(url, timeout=60))
    download = html_session("member").get(f"{material.absolute_url()}/@@download/file", timeout=60)
    no_traceback(download)
    assert download.status_code == 200
    disposition = download.headers.get("Content-Disposition", "")
    assert "\0" not in disposition and "/" not in disposition.split("filename", 1)[-1]


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
        {"reason": "考核不合格"},
        {"approver": "approver1", "reason": "   "},
        {"approver": "", "reason": BIG},
        {"approver": XSS, "reason": ATTR},
        {"approver": "nobody", "reason": "x", "year": XSS},
        b"approver=approver1&reason=%FF%FE",
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
def test_mark_unfit_form(data, functional_portal, functional_granted, clock):
    clock("2026-06-01")
    session = html_session("workgroup")
    token = csrf_token(session, f"{functional_portal.absolute_url()}/@@annual-assessment")
    before = fingerprint(functional_portal)
    url = f"{functional_portal.absolute_url()}/@@mark-unfit"
    if isinstance(data, bytes):
        response = post_form(session, url, None, token, raw=data)
    else:
        response = post_form(session, url, data, token)
    form_refused(response, f"mark-unfit {data if isinstance(data, bytes) else sorted(data)}")
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
    from zhangdian.approval.spreadsheet import COLUMNS
    from zhangdian.approval.spreadsheet import to_csv

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
    ("mark-unfit", "workgroup"),
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
    if form == "mark-unfit":
        url, data = f"{site}/@@mark-unfit", {"approver": "approver1", "reason": "不合格"}
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
