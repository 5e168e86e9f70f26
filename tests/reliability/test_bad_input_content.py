"""REST POST and PATCH of our types: bad input is refused clearly, stores nothing (see bad_input.py)."""

from tests.helpers.approval import social_credit_code
from tests.reliability.bad_input import ATTR
from tests.reliability.bad_input import BIG
from tests.reliability.bad_input import JSON
from tests.reliability.bad_input import JSON_UTF8
from tests.reliability.bad_input import XSS
from tests.reliability.bad_input import Case
from tests.reliability.bad_input import application
from tests.reliability.bad_input import b64
from tests.reliability.bad_input import escaped
from tests.reliability.bad_input import fingerprint
from tests.reliability.bad_input import html_session
from tests.reliability.bad_input import json_error
from tests.reliability.bad_input import matter
from tests.reliability.bad_input import no_traceback
from tests.reliability.bad_input import record
from tests.reliability.bad_input import run

import pytest
import transaction


# plone.restapi POST and PATCH of our types with bad field values.
def person_id(body):
    """A resident ID number with its check character (GB 11643)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


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
        "established_post": True,
        "enforcement_certificate_no": "鲁淄执字-0002",
        "enforcement_certificate_expiry": "2029-12-31",
        "last_training_date": "2025-12-15",
        "last_appraisal": "excellent",
    }
    data.update(overrides)
    return data


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
