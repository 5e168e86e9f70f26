"""Issue 8, shared by the test_bad_input_*.py files: the state fingerprint and the checks.

Bad input to every form and REST endpoint of ours is refused clearly and stores nothing.

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

from dataclasses import dataclass
from dataclasses import field
from plone import api
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import application_data
from tests.helpers.approval import make_matter_data
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.signing.decision import PENDING_KEY
from zope.annotation.interfaces import IAnnotations

import base64
import os
import pytest
import re
import requests
import transaction


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
    """`data` as base64 text."""
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
    # Journal actions this refusal records on purpose (a wrong PIN is counted); else none.
    journalled: tuple = ()


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
    """Send the case; a 4xx JSON error and the same fingerprint before and after."""
    before = fingerprint(portal)
    response = send(case, world)
    kind = json_error(response, case.statuses)
    record(case.id, response, kind)
    after = fingerprint(portal)
    if case.journalled:
        length = before["journal"][0]
        added = [
            journal().entries[seq]["action"] for seq in range(length + 1, journal().length + 1)
        ]
        assert added == list(case.journalled), case.id
        before, after = dict(before, journal=None), dict(after, journal=None)
    assert after == before, case.id


def application(**overrides):
    """A REST body of a complete application, with `overrides`."""
    return {"@type": "Application", **application_data(), **overrides}


def matter(**overrides):
    """A REST body of a complete, valid matter XK-T-009, with `overrides`."""
    return {"@type": "Matter", **make_matter_data("XK-T-009", "新事项", 5, 20), **overrides}
