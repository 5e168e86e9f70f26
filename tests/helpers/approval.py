"""Test data and steps shared by the suite: users, categories, matters, workflow steps."""

from datetime import date
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from plone.namedfile.file import NamedBlobFile
from zhangdian.approval.casework.registration import register_application
from zhangdian.approval.roster.certificates import bind_certificate
from zhangdian.approval.settings import set_signing_setting
from zhangdian.approval.signing.decision import sign_with_server_token
from zhangdian.approval.testing import softhsm
from zhangdian.approval.testing.pki import to_pem
from zope.container.interfaces import INameChooser

import pytest
import shutil
import subprocess


PASSWORD = "secret-password-1"

# SoftHSM2 tokens of the suite (tests/fixtures/signing.py `tokens`): the label is the user id.
LIBRARY = softhsm.SOFTHSM_LIBRARY
RSA_TOKEN = "approver1"
EC_TOKEN = "approver2"
IN_SCOPE_EC_TOKEN = "approver4"
STRANGER_TOKEN = "stranger"
SHORT_LIVED_TOKEN = "approver6"
LOG_TOKEN = "bureau-log"
PIN = "123456"
SO_PIN = "87654321"

USERS = {
    # user id: site-wide roles
    "workgroup": ["ApprovalAdministrator"],
    # The second member of the working group: the checker of every grant (four eyes).
    "workgroup2": ["ApprovalAdministrator"],
    "siteadmin": ["Site Administrator"],
    "editor": ["Editor"],
    "member": ["Member"],
    "auditor": ["Auditor"],
    "supervisor": ["Supervisor"],
}

CATEGORIES = (("jmss", "经贸商事"), ("shsw", "社会事务"))

# code, category, title, promised, statutory, state
MATTERS = (
    ("XK-T-001", "jmss", "食品经营许可（新办）", 5, 20, "published"),
    ("XK-T-002", "jmss", "营业执照注销登记", 0, 3, "published"),
    ("XK-T-003", "jmss", "烟草制品零售许可", 5, 20, "draft"),
    ("XK-T-004", "jmss", "出版物零售业务经营许可", 10, 20, "suspended"),
    ("XK-T-101", "shsw", "民办非企业单位成立登记", 10, 60, "published"),
)


def make_matter_data(code, title, promised, statutory):
    """Field values of a complete, valid matter."""
    return {
        "code": code,
        "title": title,
        "legal_basis": "《中华人民共和国行政许可法》第十二条",
        "conditions": "申请人具备相应条件。",
        "materials": [
            {"name": "申请书", "form": "original", "copies": 1, "required": True, "notes": None},
            {"name": "营业执照", "form": "copy", "copies": 1, "required": False, "notes": "可免交"},
        ],
        "statutory_days": statutory,
        "promised_days": promised,
        "fee": "不收费",
        "risk_level": "low",
        "independent_approval": True,
        "contact_window": "政务服务中心二楼",
        "process_steps": [
            {"step": "受理审查决定", "actor": "独立审批员", "days": promised},
        ],
        "former_steps": [
            {"step": "受理", "actor": "受理岗", "days": 2},
            {"step": "审核", "actor": "审核岗", "days": 8},
            {"step": "审批", "actor": "科室负责人", "days": 10},
        ],
    }


def populate(portal):
    """Create the test users, categories and matters in every workflow state."""
    matter_list = portal["matters"]
    with api.env.adopt_roles(["Manager"]):
        for userid, roles in USERS.items():
            if api.user.get(userid=userid) is None:
                api.user.create(username=userid, email=f"{userid}@example.org", password=PASSWORD)
                if {"Auditor", "Supervisor"} & set(roles):
                    # Oversight accounts are not members: they submit nothing, as in the demo.
                    portal.acl_users.portal_role_manager.removeRoleFromPrincipal("Member", userid)
            for role in roles:
                portal.acl_users.portal_role_manager.assignRoleToPrincipal(role, userid)
        for category_id, title in CATEGORIES:
            api.content.create(
                container=matter_list, type="MatterCategory", id=category_id, title=title
            )
        for code, category_id, title, promised, statutory, state in MATTERS:
            matter = api.content.create(
                container=matter_list[category_id],
                type="Matter",
                id=code.lower(),
                **make_matter_data(code, title, promised, statutory),
            )
            if state in ("published", "suspended"):
                api.content.transition(obj=matter, transition="publish")
            if state == "suspended":
                api.content.transition(obj=matter, transition="suspend")
    return matter_list


# Noon in Zibo, so the bureau's calendar day is unambiguous.
def at(day):
    """A moment on `day` (YYYY-MM-DD) at 12:00 China time."""
    return f"{day} 12:00:00 +0800"


def make_authorization(roster, userid, start, end, categories=(), matters=(), **evidence):
    """Create a pending authorisation with full, valid qualification evidence."""
    data = {
        "joined_department": date(2020, 3, 1),
        "established_post": True,
        "enforcement_certificate_no": "鲁淄执字-0001",
        "enforcement_certificate_expiry": date(2029, 12, 31),
        "exam_date": date(2025, 6, 1),
        "exam_score": 86,
        "exam_certificate_no": "ZD-EXAM-0001",
        "training_records": "2025-12-15 独立审批员岗位培训（40 学时）",
        # Within twelve months of every grant the suite makes (2025-12-15 … 2026-12-15).
        "last_training_date": date(2025, 12, 15),
        "last_appraisal": "excellent",
    }
    data.update(evidence)
    with api.env.adopt_roles(["Manager"]):
        # Only an existing user's own account is granted an authorisation (never a group).
        if api.user.get(userid=userid) is None and not api.group.get(groupname=userid):
            api.user.create(username=userid, email=f"{userid}@example.org", password=PASSWORD)
        return api.content.create(
            container=roster,
            type="ApproverAuthorization",
            id=f"{userid}-{start}",
            title=f"{userid} {start}",
            approver=userid,
            scope_categories=list(categories),
            scope_matters=list(matters),
            valid_from=date.fromisoformat(start),
            valid_until=date.fromisoformat(end),
            **data,
        )


def transition(portal, obj, name, userid="workgroup", **kwargs):
    """Fire a workflow transition as `userid`."""
    login(portal, userid)
    try:
        # portal_workflow, not plone.api: plone.api replaces our refusal reason with its own.
        api.portal.get_tool("portal_workflow").doActionFor(obj, name, **kwargs)
    finally:
        logout()


def graded(portal, approver, year, grade="excellent", reason=""):
    """Record the approver's grade for `year` as the working group (a renewal needs it)."""
    from zhangdian.approval.roster.grades import record_grade

    login(portal, "workgroup")
    try:
        return record_grade(approver, year, grade, reason)
    finally:
        logout()


def grant(portal, authorization, proposer="workgroup", confirmer="workgroup2", **kwargs):
    """Grant an authorisation as the roster requires: one member proposes, another confirms."""
    transition(portal, authorization, "propose", userid=proposer, **kwargs)
    transition(portal, authorization, "grant", userid=confirmer, **kwargs)


def tool(name: str) -> str:
    """The path of a poppler-utils program; the suite fails (not skips) without it."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: `make system-deps` installs poppler-utils")
    return path


def poppler(name: str, pdf: bytes, tmp_path, *options: str) -> str:
    """The standard output of a poppler program run on `pdf`."""
    source = tmp_path / "decision.pdf"
    source.write_bytes(pdf)
    command = [tool(name), *options, str(source)]
    if name == "pdftotext":
        command.append("-")
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603


def configure_signing(tokens, server_module=LIBRARY):
    """Trust the test CA and let the server reach the SoftHSM tokens."""
    set_signing_setting("trust_anchors", to_pem(tokens.ca_cert).decode())
    set_signing_setting("pkcs11_module", server_module)


def bind(authorization, cert):
    """Upload `cert` to the authorisation as the working group would, and bind it."""
    authorization.certificate = NamedBlobFile(data=to_pem(cert), filename="approver.pem")
    bind_certificate(authorization)
    authorization.reindexObject()


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def social_credit_code(body="91370303MA3C4K7L1"):
    """A unified social credit code with its check character (GB 32100-2015)."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def application_data(matter="XK-T-001", **overrides):
    """Field values of a complete application by a company."""
    data = {
        "matter": matter,
        "applicant_kind": "company",
        "applicant_name": "淄博市张店区示例商贸有限公司",
        "applicant_identifier": social_credit_code(),
        "contact_person": "王经理",
        "contact_phone": "0533-2180000",
    }
    data.update(overrides)
    return data


def decide(portal, application, name, userid, reason="", pin=PIN):
    """Approve or refuse as `userid`, signing with their SoftHSM token on the server."""
    login(portal, userid)
    try:
        return sign_with_server_token(application, name, reason, pin)
    finally:
        logout()


def act(portal, application, name, userid, **kwargs):
    """Fire an application transition as `userid`."""
    transition(portal, application, name, userid=userid, **kwargs)


def approve_as(portal, application, userid="approver1"):
    """Accept, tick the checklist and approve (signed on the server token) as `userid`."""
    act(portal, application, "accept", userid)
    complete_checklist(application)
    return decide(portal, application, "approve", userid)


def signed_approval(portal, authorization, tokens, matter="XK-T-001"):
    """An application by member, approved by approver1 and signed with the RSA token."""
    configure_signing(tokens)
    bind(authorization, tokens.certs[RSA_TOKEN])
    application = register_application_as(portal, "member", matter)
    approve_as(portal, application)
    return application


def start_spot_check(portal, userid="workgroup", **fields):
    """A SpotCheck in the approvers roster, started by `userid`."""
    return create_oversight_record(portal, "SpotCheck", userid, **fields)


def create_oversight_record(portal, type_name, userid, **fields):
    """A spot check or call-back in the roster, created by `userid` under its final name.

    Oversight records are never renamed, so they are named when created, as the add form and
    REST do (api.content.create without an id would rename the new object afterwards).
    """
    container = portal["approvers"]
    fields.setdefault(
        "id", INameChooser(container).chooseName(fields.get("title") or type_name, container)
    )
    login(portal, userid)
    try:
        return api.content.create(container=container, type=type_name, **fields)
    finally:
        logout()


def complete_checklist(application):
    """Tick every line of the review checklist, as the approver would."""
    matter = application.matter_object()
    application.checked_materials = [row["name"] for row in matter.materials]
    application.legal_basis_confirmed = True
    application.conditions_confirmed = True


def register_application_as(portal, userid, matter="XK-T-001", **overrides):
    """Submit an application for `matter` as `userid`."""
    login(portal, userid)
    try:
        return register_application(portal["applications"], **application_data(matter, **overrides))
    finally:
        logout()


# The review checklist of XK-T-001, complete.
CHECKLIST = {
    "checked_materials": ["m0", "m1"],
    "legal_basis_confirmed": True,
    "conditions_confirmed": True,
}


def submitted_and_accepted(portal, user_request):
    """POST an application as `member`, accept it and tick the checklist as approver1; its URL."""
    response = user_request("member").post(
        f"{portal.absolute_url()}/applications",
        json={"@type": "Application", **application_data()},
    )
    assert response.status_code == 201, response.text
    url = response.json()["@id"]
    approver = user_request("approver1")
    assert approver.post(f"{url}/@workflow/accept").status_code == 200
    assert approver.patch(url, json=CHECKLIST).status_code == 204
    return url
