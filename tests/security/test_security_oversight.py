"""Oversight records are append-only: findings and call-backs are written by supervisors, never
edited or removed by anyone on any route; a correction is a new entry naming the old one."""

from AccessControl.Permission import pname
from OFS.event import ObjectWillBeRemovedEvent
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import approve_as
from tests.helpers.approval import create_oversight_record
from tests.helpers.approval import signed_approval
from tests.helpers.approval import start_spot_check
from tests.reliability.bad_input import csrf_token
from zExceptions import Unauthorized
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.audit.journal import leaf_of
from zhangdian.approval.rules.oversight import OversightRecordKept
from zhangdian.approval.rules.oversight import may_record_callback
from zhangdian.approval.rules.oversight import may_record_finding
from zhangdian.approval.rules.oversight import record_target
from zhangdian.approval.supervision.assessment import annual_figures
from zhangdian.approval.supervision.spot_checks import SpotCheckRefused
from zhangdian.approval.supervision.spot_checks import record_finding
from zhangdian.approval.upgrades.v1005.oversight import migrate_findings
from zope.event import notify
from zope.lifecycleevent import ObjectCopiedEvent

import functools
import pytest
import re
import requests
import transaction


RATINGS = {"process": 2, "attitude": 1, "efficiency": 2, "integrity": 1}
USERS = {
    "working group": ("workgroup", PASSWORD),
    "Site Administrator": ("siteadmin", PASSWORD),
    "Manager": (SITE_OWNER_NAME, SITE_OWNER_PASSWORD),
    "supervisor": ("supervisor", PASSWORD),
    "auditor": ("auditor", PASSWORD),
    "approver": ("approver1", PASSWORD),
    "applicant": ("member", PASSWORD),
    "anonymous": None,
}
# Permissions an oversight record may still grant: each only reads, or records a new entry.
REFUSED_ATTEMPT = "oversight.change_refused"
READERS = ("Manager", "ApprovalAdministrator", "Auditor", "Supervisor")
READ_OR_APPEND = {
    "View": "oversight and the working group read the record",
    "Access contents information": "reading its fields",
    "zhangdian.approval: Record Finding": "appends a finding entry; never changes one",
}


@pytest.fixture
def records(functional_portal, functional_granted, tokens, clock):
    """A case approver1 approved in 2026-Q1, a spot check of it with the supervisor's finding
    "problem", and the supervisor's complaint call-back on it; all committed."""
    clock("2026-03-02")
    application = signed_approval(functional_portal, functional_granted, tokens)
    clock("2026-04-02")
    check = start_spot_check(
        functional_portal, title="2026-Q1", quarter="2026-Q1", share=1.0, seed="oversight"
    )
    record_finding(
        check,
        application.number,
        "problem",
        inspector="supervisor",
        category="时限",
        description="超期",
    )
    callback = create_oversight_record(
        functional_portal,
        "Callback",
        "supervisor",
        title="回访",
        application=application.number,
        complaint=True,
        comments="办事人员索要好处",
        **RATINGS,
    )
    transaction.commit()
    return application, check, callback


def stored(portal):
    """The oversight records as stored, and the journal's length."""
    transaction.begin()
    roster = portal["approvers"]
    state = {"roster": sorted(roster.objectIds()), "site": sorted(portal.objectIds())}
    for obj in roster.objectValues():
        if obj.portal_type == "SpotCheck":
            state[obj.getId()] = (obj.title, obj.seed, obj.sample, obj.entries)
        elif obj.portal_type == "Callback":
            state[obj.getId()] = (
                obj.title,
                obj.complaint,
                obj.comments,
                obj.integrity,
                obj.corrects,
                [r for r in obj.rolesOfPermission("Modify portal content") if r["selected"]],
            )
    # Refused attempts are journalled on purpose (casework.refused_attempts); nothing else.
    state["journal"] = [
        leaf_of(e) for e in journal().entries.values() if e["action"] != REFUSED_ATTEMPT
    ]
    return state


def refused_attempts():
    """The refused-attempt entries of the journal: (actor, target)."""
    transaction.begin()
    return [
        (e["actor"], e["target"])
        for e in journal().entries.values()
        if e["action"] == REFUSED_ATTEMPT
    ]


def routes(portal, record):
    """(name, method, url, keyword arguments) of every route that could change the record."""
    url = record.absolute_url()
    root = portal.absolute_url()
    roster = f"{root}/approvers"
    rest = {"headers": {"Accept": "application/json"}}
    return (
        ("REST PATCH", "patch", url, {"json": {"title": "改", "complaint": False}, **rest}),
        ("REST DELETE", "delete", url, rest),
        ("REST @copy", "post", f"{roster}/@copy", {"json": {"source": url}, **rest}),
        ("REST @move", "post", f"{root}/@move", {"json": {"source": url}, **rest}),
        (
            "Classic edit form (save)",
            "post",
            f"{url}/@@edit",
            {"data": {"form.widgets.title": "改", "form.buttons.save": "Save"}},
        ),
        (
            "Classic delete",
            "post",
            f"{url}/delete_confirmation",
            {"data": {"form.buttons.Delete": "Delete"}},
        ),
        (
            "manage_changeProperties",
            "post",
            f"{url}/manage_changeProperties",
            {"data": {"title": "改"}},
        ),
        (
            "manage_permission",
            "post",
            f"{url}/manage_permission",
            {
                "data": {
                    "permission_to_manage": "Modify portal content",
                    "roles:list": "ApprovalAdministrator",
                    "acquire": "",
                }
            },
        ),
        (
            "manage_setLocalRoles",
            "post",
            f"{url}/manage_setLocalRoles",
            {"data": {"userid": "workgroup", "roles:list": "Manager"}},
        ),
        (
            "manage_delObjects",
            "post",
            f"{roster}/manage_delObjects",
            {"data": {"ids:list": record.getId()}},
        ),
        (
            "manage_renameObject",
            "post",
            f"{roster}/manage_renameObject",
            {"data": {"id": record.getId(), "new_id": "renamed"}},
        ),
    )


def refused(response):
    """Whether the answer refuses: an error, a login challenge, or nothing copied or moved."""
    if response.status_code >= 400:
        return True
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "require_login" in location:
        return True
    return response.status_code == 200 and response.text.strip() == "[]"


def test_no_route_changes_a_record_for_any_role(functional_portal, records):
    _application, check, callback = records
    before = stored(functional_portal)
    problems = []
    for record in (check, callback):
        for who, auth in USERS.items():
            for name, method, url, kwargs in routes(functional_portal, record):
                attempts = refused_attempts()
                response = requests.request(
                    method, url, auth=auth, allow_redirects=False, timeout=60, **kwargs
                )
                if not refused(response) or response.status_code >= 500:
                    problems.append((record.portal_type, who, name, response.status_code))
                after = stored(functional_portal)
                if after != before:
                    problems.append((record.portal_type, who, name, "changed"))
                    before = after
                # Each refused write by an account is journalled once, naming it and the record.
                added = refused_attempts()[len(attempts) :]
                expected = [(auth[0], record_target(record))] if auth else []
                if added != expected:
                    problems.append((record.portal_type, who, name, "journalled", added))
    assert problems == [], "\n".join(map(repr, problems))


@pytest.mark.parametrize(
    "route",
    # manage_delObjects asks for Delete objects on the record, held by no role: Unauthorized.
    ["REST @copy", "REST @move", "manage_renameObject"],
)
def test_a_manager_gets_the_reason_not_a_copy_error(functional_portal, records, route):
    _application, _check, callback = records
    before = stored(functional_portal)
    name, method, url, kwargs = next(
        r for r in routes(functional_portal, callback) if r[0] == route
    )
    response = requests.request(
        method,
        url,
        auth=(SITE_OWNER_NAME, SITE_OWNER_PASSWORD),
        allow_redirects=False,
        timeout=60,
        **kwargs,
    )
    assert response.status_code == 409, (name, response.status_code, response.text[:300])
    if name.startswith("REST"):
        assert response.json()["type"] == "oversight_record_kept"
    else:
        # refuse_oversight_record_change in the site's language (zh_CN)
        assert "监督记录只增不改" in response.text
    assert stored(functional_portal) == before


def finding_url(check):
    """The finding endpoint of a spot check."""
    return f"{check.absolute_url()}/@spot-check-finding"


@pytest.mark.parametrize(
    ("who", "status", "kind"),
    [
        ("working group", 403, "oversight_not_supervisor"),
        ("Site Administrator", 401, None),
        ("Manager", 403, "oversight_not_supervisor"),
        ("auditor", 403, "oversight_not_supervisor"),
        ("approver", 401, None),
        ("applicant", 401, None),
        ("anonymous", 401, None),
        # The supervisor may record, but not over the existing entry.
        ("supervisor", 409, "oversight_already_recorded"),
    ],
)
def test_nobody_overwrites_a_finding(functional_portal, records, who, status, kind):
    application, check, _callback = records
    before = stored(functional_portal)
    attempts = refused_attempts()
    response = requests.post(
        finding_url(check),
        json={"number": application.number, "finding": "compliant"},
        auth=USERS[who],
        headers={"Accept": "application/json"},
        timeout=60,
    )
    # A user who may not even read the spot check is challenged (401) or forbidden (403).
    assert response.status_code in ((401, 403) if status == 401 else (status,)), response.text
    if kind:
        assert response.json()["type"] == kind
    assert stored(functional_portal) == before
    # Who was refused for want of the right is journalled; the supervisor's 409 is a mistake.
    journalled = (
        [] if who in ("anonymous", "supervisor") else [(USERS[who][0], record_target(check))]
    )
    assert refused_attempts()[len(attempts) :] == journalled
    transaction.begin()
    assert check.findings[application.number]["finding"] == "problem"


def test_a_correction_is_a_new_entry_the_assessment_counts(functional_portal, records):
    application, check, _callback = records
    transaction.begin()
    assert annual_figures(2026)[0]["problem_rate"] == 1.0
    length = journal().length
    post = functools.partial(
        requests.post,
        finding_url(check),
        auth=USERS["supervisor"],
        headers={"Accept": "application/json", "Accept-Language": "zh-cn"},
        timeout=60,
    )
    body = {"number": application.number, "finding": "compliant", "corrects": 1}
    no_reason = post(json=body)
    assert no_reason.status_code == 400
    assert no_reason.json()["type"] == "oversight_correction_reason"
    unknown = post(json={**body, "corrects": 7, "reason": "x"})
    assert (unknown.status_code, unknown.json()["type"]) == (409, "oversight_unknown_entry")
    corrected = post(json={**body, "reason": "复核：按时办结"})
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["id"] == 2
    assert corrected.json()["corrects"] == 1
    stale = post(json={**body, "reason": "again"})
    assert (stale.status_code, stale.json()["type"]) == (409, "oversight_not_latest")
    transaction.begin()
    first, second = check.entries_of(application.number)
    assert (first["finding"], first["id"]) == ("problem", 1)  # kept, visible
    assert (second["finding"], second["corrects"], second["inspector"]) == (
        "compliant",
        1,
        "supervisor",
    )
    assert check.findings[application.number] is check.entries[-1]
    assert annual_figures(2026)[0]["problem_rate"] == 0.0
    log = journal()
    assert log.length == length + 1
    entry = log.entries[log.length]
    assert (entry["action"], entry["actor"], entry["target"]) == (
        "spotcheck.corrected",
        "supervisor",
        application.number,
    )
    assert entry["before"]["finding"] == "problem"
    assert entry["after"]["corrects"] == 1


def test_findings_are_not_assignable(functional_portal, records):
    """No code path can put a dict over the entries: `findings` is read from them."""
    _application, check, _callback = records
    with pytest.raises(AttributeError):
        check.findings = {}


def callback_body(number, **extra):
    """A call-back as the REST API takes it."""
    return {
        "@type": "Callback",
        "title": "复访",
        "application": number,
        "channel": "phone",
        "process": 5,
        "attitude": 5,
        "efficiency": 5,
        "integrity": 5,
        **extra,
    }


@pytest.mark.parametrize(
    "who",
    [
        "working group",
        "Site Administrator",
        "Manager",
        "auditor",
        "approver",
        "applicant",
        "anonymous",
    ],
)
def test_only_a_supervisor_records_a_callback_over_rest(functional_portal, records, who):
    application, _check, _callback = records
    before = stored(functional_portal)
    response = requests.post(
        f"{functional_portal.absolute_url()}/approvers",
        json=callback_body(application.number),
        auth=USERS[who],
        headers={"Accept": "application/json"},
        timeout=60,
    )
    assert response.status_code in (401, 403), (who, response.status_code, response.text[:300])
    assert stored(functional_portal) == before


def test_a_callback_correction_is_a_new_callback(functional_portal, records):
    application, _check, callback = records
    transaction.begin()
    assert annual_figures(2026)[0]["complaints"] == 1
    old_uid = api.content.get_uuid(callback)
    length = journal().length
    post = functools.partial(
        requests.post,
        f"{functional_portal.absolute_url()}/approvers",
        auth=USERS["supervisor"],
        headers={"Accept": "application/json"},
        timeout=60,
    )
    created = post(
        json=callback_body(application.number, corrects=old_uid, correction_reason="记错了申请人")
    )
    assert created.status_code == 201, created.text
    again = post(json=callback_body(application.number, corrects=old_uid, correction_reason="x"))
    assert again.status_code in (400, 409), again.text
    # oversight_not_latest in the site's language (zh_CN)
    assert "更正只能针对最新的条目" in again.json()["message"]
    transaction.begin()
    calls = [
        o for o in functional_portal["approvers"].objectValues() if o.portal_type == "Callback"
    ]
    assert len(calls) == 2  # the corrected one stays
    figures = annual_figures(2026)[0]
    assert (figures["complaints"], figures["satisfaction"]) == (0, 5.0)
    log = journal()
    assert log.length == length + 1
    entry = log.entries[log.length]
    assert (entry["action"], entry["actor"]) == ("callback.corrected", "supervisor")
    assert entry["after"]["corrects"] == old_uid


def test_the_callback_add_form(functional_portal, records):
    application, _check, callback = records
    form = f"{functional_portal.absolute_url()}/approvers/++add++Callback"
    for who in (
        "working group",
        "Site Administrator",
        "Manager",
        "auditor",
        "approver",
        "anonymous",
    ):
        page = requests.get(form, auth=USERS[who], allow_redirects=False, timeout=60)
        assert refused(page), (who, page.status_code)
    session = requests.Session()
    session.auth = USERS["supervisor"]
    session.headers["Accept-Language"] = "en"
    token = csrf_token(session, form)
    fields = {
        "form.widgets.title": "复访",
        "form.widgets.application": application.number,
        "form.widgets.channel:list": "phone",
        "form.widgets.process": "5",
        "form.widgets.attitude": "5",
        "form.widgets.efficiency": "5",
        "form.widgets.integrity": "5",
        "form.widgets.corrects": "not-a-callback",
        "form.widgets.correction_reason": "x",
        "form.buttons.save": "Save",
        "_authenticator": token,
    }
    before = stored(functional_portal)
    wrong = session.post(form, data=fields, timeout=60)
    assert wrong.status_code == 200
    assert "There is no entry not-a-callback on this case to correct." in wrong.text
    assert stored(functional_portal) == before
    fields["form.widgets.corrects"] = api.content.get_uuid(callback)
    fields["form.widgets.correction_reason"] = "电话记录有误"
    saved = session.post(form, data=fields, timeout=60, allow_redirects=False)
    assert saved.status_code == 302, saved.text[:500]
    transaction.begin()
    assert len(functional_portal["approvers"].objectIds()) == len(before["roster"]) + 1
    assert journal().entries[journal().length]["action"] == "callback.corrected"


def test_every_permission_that_changes_a_record_is_granted_to_no_role(portal, keys, submit, clock):
    clock("2026-03-02")
    application = submit("XK-T-001")
    approve_as(portal, application)
    check = start_spot_check(portal, title="Q1", quarter="2026-Q1", share=1.0, seed="s")
    callback = create_oversight_record(
        portal, "Callback", "supervisor", title="c", application=application.number, **RATINGS
    )
    for record in (check, callback):
        assert api.content.get_state(record) == "recorded"
        granted = {}
        for name, *_rest in record.ac_inherited_permissions(1):
            if name in READ_OR_APPEND:
                continue
            roles = [r["name"] for r in record.rolesOfPermission(name) if r["selected"]]
            if roles or record.acquiredRolesAreUsedBy(name):
                granted[name] = roles
        assert granted == {}, record.portal_type
        # What Zope reports on an item is its class's permissions; the workflow's own list is
        # checked too: every permission it manages maps to no role but the allowed ones.
        workflow = api.portal.get_tool("portal_workflow")["oversight_record_workflow"]
        for name in workflow.permissions:
            roles = tuple(getattr(record, pname(name), ()) or ())
            expected = {
                "View": READERS,
                "Access contents information": READERS,
                "zhangdian.approval: Record Finding": ("Supervisor",),
            }.get(name, ())
            assert roles == expected, (record.portal_type, name, roles)


def test_rules_directly(portal, keys, submit, clock):
    clock("2026-03-02")
    application = submit("XK-T-001")
    approve_as(portal, application)
    check = start_spot_check(portal, title="Q1", quarter="2026-Q1", share=1.0, seed="r")
    number = application.number
    for userid in ("workgroup", "siteadmin", "auditor", "member", "approver1", "nobody"):
        assert may_record_finding(userid, check, number).reason == "not_supervisor", userid
        assert may_record_callback(userid, number).reason == "not_supervisor", userid
    assert may_record_finding("supervisor", check, number).allowed
    assert may_record_finding("supervisor", check, "ZD-1999-000001").reason == "not_sampled"
    record_finding(check, number, "compliant", inspector="supervisor")
    assert may_record_finding("supervisor", check, number).reason == "already_recorded"
    assert may_record_finding("supervisor", check, number, 1).reason == "correction_reason"
    assert may_record_finding("supervisor", check, number, 1, "r").allowed
    with pytest.raises(SpotCheckRefused) as refusal:
        record_finding(
            check, number, "problem", inspector="workgroup", category="c", description="d"
        )
    assert refusal.value.code == "oversight_not_supervisor"
    assert len(check.entries) == 1


def test_a_copied_roster_is_refused(portal, keys, submit, clock):
    """What a pasted parent folder does to its records: refused, nothing copied."""
    clock("2026-03-02")
    application = submit("XK-T-001")
    approve_as(portal, application)
    start_spot_check(portal, title="Q1", quarter="2026-Q1", share=1.0, seed="r")
    roster = portal["approvers"]
    with pytest.raises(OversightRecordKept):
        notify(ObjectCopiedEvent(roster._getCopy(portal), roster))
    with api.env.adopt_roles(["Manager"]), pytest.raises(Unauthorized):
        roster.manage_delObjects(["q1"])  # Delete objects is held by no role
    # What does not ask for a permission (a removed parent, trusted code) meets the rule.
    with pytest.raises(OversightRecordKept):
        notify(ObjectWillBeRemovedEvent(roster["q1"], roster, "q1"))
    with pytest.raises(OversightRecordKept):
        roster.manage_renameObject("q1", "q2")
    assert "q1" in roster.objectIds()


def test_the_upgrade_turns_old_findings_into_entries(portal, keys, submit, clock):
    clock("2026-03-02")
    application = submit("XK-T-001")
    approve_as(portal, application)
    check = start_spot_check(portal, title="Q1", quarter="2026-Q1", share=1.0, seed="u")
    # A spot check as 1004 stored it: a dict the working group could overwrite.
    check.__dict__["findings"] = {
        application.number: {"finding": "problem", "inspector": "approver4", "category": "c"}
    }
    length = journal().length
    assert migrate_findings(check) == 1
    assert "findings" not in check.__dict__
    (entry,) = check.entries
    assert (entry["id"], entry["number"], entry["finding"], entry["corrects"]) == (
        1,
        application.number,
        "problem",
        None,
    )
    assert check.findings == {application.number: entry}
    assert journal().length == length + 1
    assert journal().entries[journal().length]["action"] == "spotcheck.entries_migrated"


@pytest.mark.parametrize(
    "language, phone, on_site", [("zh-cn", "电话回访", "现场评价"), ("en", "Telephone", "On-site")]
)
def test_the_callback_form_names_its_channels(functional_portal, records, language, phone, on_site):
    """The channel choice reads 电话回访 / 现场评价, never the stored token."""
    form = f"{functional_portal.absolute_url()}/approvers/++add++Callback"
    page = requests.get(
        form, auth=USERS["supervisor"], headers={"Accept-Language": language}, timeout=60
    )
    assert page.status_code == 200
    options = re.findall(r"<option[^>]*>\s*([^<]*?)\s*</option>", page.text)
    assert any(phone in o for o in options) and any(on_site in o for o in options), options
    assert "phone" not in options and "on_site" not in options
