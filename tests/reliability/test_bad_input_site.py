"""GET endpoints and @verify: bad input is refused clearly and stores nothing (see bad_input.py)."""

from tests.reliability.bad_input import ATTR
from tests.reliability.bad_input import BIG
from tests.reliability.bad_input import JSON
from tests.reliability.bad_input import XSS
from tests.reliability.bad_input import Case
from tests.reliability.bad_input import b64
from tests.reliability.bad_input import fingerprint
from tests.reliability.bad_input import html_session
from tests.reliability.bad_input import no_traceback
from tests.reliability.bad_input import record
from tests.reliability.bad_input import run
from zhangdian.approval.signing.public_verify import MAX_PDF

import pytest


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
