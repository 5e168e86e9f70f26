"""A decided (or withdrawn) application is frozen on every route; no application is ever copied.

The enumeration test walks every permission Zope reports on the application, so a permission
a later Plone release adds fails here until it is frozen or allow-listed with a reason.
"""

from Acquisition import aq_base
from OFS.event import ObjectWillBeMovedEvent
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from plone.app.testing import login
from plone.app.testing import logout
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import act
from tests.helpers.approval import application_data
from tests.helpers.approval import complete_checklist
from tests.helpers.approval import decide
from tests.helpers.approval import register_application_as
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.audit.journal import leaf_of
from zhangdian.approval.casework.frozen import ApplicationNotCopyable
from zhangdian.approval.casework.frozen import ApplicationNotMovable
from zope.event import notify
from zope.lifecycleevent import ObjectCopiedEvent

import pytest
import requests
import transaction


# Permissions a decided application may still grant: each only reads.
READ_ONLY = {
    "View": "reading the case is the point of keeping it",
    "Access contents information": "reading its fields and listing it",
    "List folder contents": "listing its materials",
    "Access inactive portal content": "finding it in listings after an expiry date",
    "View History": "reading its workflow history",
    "CMFEditions: Access previous versions": "reading earlier versions",
    "View comments": "reading comments",
    "zhangdian.approval: View Approval Queue": "the queue only lists",
    "zhangdian.approval: View Assessment": "the assessment only reads",
    "zhangdian.approval: View Audit Journal": "the journal and evidence bundle only read",
    "zhangdian.approval: Check Own Authorization": "an approver reads their own authorisation",
    "Public, everyone can access": "guards public reads only",
    "Search ZCatalog": "searching reads the catalog",
    "plone.restapi: Use REST API": "reading over REST; every write needs its own permission",
    "plone.restapi: Access Plone vocabularies": "reading vocabularies",
    "plone.restapi: Access Plone user information": "reading user names",
    "Show Toolbar": "showing the toolbar",
    "List portal members": "listing users",
    "Search for principals": "searching users",
    "View Groups": "reading groups",
    "List undoable changes": "listing transactions (Undo changes is frozen)",
    "Portlets: View dashboard": "reading the dashboard",
    "Query Vocabulary": "reading vocabularies",
    "Inspect Relations": "reading relations",
}
FINAL = ("approved", "refused", "withdrawn")
REFUSED_ATTEMPT = "application.change_refused"


@pytest.fixture
def application(approvers, keys, submit, clock):
    """An application for XK-T-001 submitted by member on Mon 2026-03-02."""
    clock("2026-03-02")
    return submit("XK-T-001")


def end_in(portal, application, state):
    """Bring a submitted application to `state` the way the bureau would."""
    if state == "withdrawn":
        act(portal, application, "withdraw", "member")
        return
    act(portal, application, "accept", "approver1")
    complete_checklist(application)
    reason = "经营场所不符合条件" if state == "refused" else ""
    decide(portal, application, "approve" if state == "approved" else "refuse", "approver1", reason)


@pytest.mark.parametrize("state", FINAL)
def test_every_permission_that_changes_anything_is_granted_to_no_role(portal, application, state):
    end_in(portal, application, state)
    assert api.content.get_state(application) == state
    granted = {}
    for name, *_rest in application.ac_inherited_permissions(1):
        if name in READ_ONLY:
            continue
        roles = [r["name"] for r in application.rolesOfPermission(name) if r["selected"]]
        if roles or application.acquiredRolesAreUsedBy(name):
            granted[name] = (roles, application.acquiredRolesAreUsedBy(name))
    assert granted == {}
    # The same seen from the roles: none holds a permission outside READ_ONLY here.
    for role in application.valid_roles():
        held = {p["name"] for p in application.permissionsOfRole(role) if p["selected"]}
        assert held <= set(READ_ONLY), role


def test_read_only_permissions_are_known_to_zope(portal, application):
    """The allow-list names no permission Zope does not report (a typo would open nothing)."""
    known = {name for name, *_rest in application.ac_inherited_permissions(1)}
    assert set(READ_ONLY) <= known


def test_an_application_is_never_copied(portal, application):
    folder = portal["applications"]
    count = len(folder.objectIds())
    with api.env.adopt_roles(["Manager"]):
        with pytest.raises(ApplicationNotCopyable):
            api.content.copy(source=application, target=folder, safe_id=True)
        with pytest.raises(ApplicationNotCopyable):
            folder.manage_pasteObjects(folder.manage_copyObjects([application.getId()]))
        # As part of its folder: what manage_pasteObjects does to a copied folder (no site
        # type allows an applications folder to be pasted, so it is done here directly).
        original = portal["applications"]
        with pytest.raises(ApplicationNotCopyable):
            notify(ObjectCopiedEvent(original._getCopy(portal), original))
    assert len(folder.objectIds()) == count
    assert "copy_of_applications" not in portal.objectIds()


def test_an_application_is_never_renamed_or_moved(portal, application):
    number = application.number
    # The applicant may delete a submitted application, so only the rule stops these.
    login(portal, "member")
    try:
        with pytest.raises(ApplicationNotMovable):
            api.content.rename(obj=application, new_id="another-name")
    finally:
        logout()
    # No role may both delete it and add at a new place, so the rule is checked directly.
    folder, name = portal["applications"], application.getId()
    with pytest.raises(ApplicationNotMovable):
        notify(ObjectWillBeMovedEvent(application, folder, name, portal, name))
    assert aq_base(portal["applications"][number.lower()]) is aq_base(application)


@pytest.fixture
def decided(functional_decided):
    """The decided application of tests/fixtures/applications.py."""
    return functional_decided


def stored(portal, application):
    """What a refused request must leave as it was."""
    transaction.begin()
    application = portal["applications"][application.getId()]
    return {
        "title": application.title,
        "applicant_name": application.applicant_name,
        "contact_phone": application.contact_phone,
        "decision": application.decision,
        "decided_by": application.decided_by,
        "state": api.content.get_state(application),
        "modify_roles": application.rolesOfPermission("Modify portal content"),
        "applications": sorted(portal["applications"].objectIds()),
        "site": sorted(portal.objectIds()),
        # Refused attempts are journalled on purpose (casework.refused_attempts); nothing else.
        "journal": [
            leaf_of(e) for e in journal().entries.values() if e["action"] != REFUSED_ATTEMPT
        ],
    }


def refused_attempts(portal):
    """The refused-attempt entries of the journal: (actor, target, route)."""
    transaction.begin()
    return [
        (e["actor"], e["target"], e["after"]["route"])
        for e in journal().entries.values()
        if e["action"] == REFUSED_ATTEMPT
    ]


USERS = {
    "applicant (Owner)": ("member", PASSWORD),
    "approver": ("approver1", PASSWORD),
    "working group": ("workgroup", PASSWORD),
    "Site Administrator": ("siteadmin", PASSWORD),
    "Manager": (SITE_OWNER_NAME, SITE_OWNER_PASSWORD),
}


def routes(portal, application):
    """(name, method, url, keyword arguments) of every route that could change the case."""
    url = application.absolute_url()
    root = portal.absolute_url()
    rest = {"headers": {"Accept": "application/json"}}
    return (
        ("REST PATCH", "patch", url, {"json": {"title": "改", "contact_phone": "110"}, **rest}),
        ("REST DELETE", "delete", url, rest),
        ("REST @copy", "post", f"{root}/applications/@copy", {"json": {"source": url}, **rest}),
        ("REST @move", "post", f"{root}/@move", {"json": {"source": url}, **rest}),
        ("Classic edit form", "get", f"{url}/@@edit", {}),
        (
            "Classic edit form (save)",
            "post",
            f"{url}/@@edit",
            {"data": {"form.widgets.contact_phone": "110", "form.buttons.save": "Save"}},
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
                    "roles:list": "Owner",
                    "acquire": "",
                }
            },
        ),
        (
            "manage_renameObject",
            "post",
            f"{root}/applications/manage_renameObject",
            {"data": {"id": application.getId(), "new_id": "renamed"}},
        ),
    )


def refused(response):
    """Whether the answer refuses: an error, a login challenge, or nothing copied or moved."""
    if response.status_code >= 400:
        return True
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "require_login" in location:
        return True
    # @copy/@move answer 200 with an empty list when the user may not even reach the source.
    return response.status_code == 200 and response.text.strip() == "[]"


def test_every_route_refuses_every_role_and_changes_nothing(functional_portal, decided):
    portal = functional_portal
    before = stored(portal, decided)
    problems = []
    for who, auth in USERS.items():
        for name, method, url, kwargs in routes(portal, decided):
            attempts = refused_attempts(portal)
            response = requests.request(
                method, url, auth=auth, allow_redirects=False, timeout=60, **kwargs
            )
            if not refused(response):
                problems.append((who, name, response.status_code, response.text[:200]))
            if stored(portal, decided) != before:
                problems.append((who, name, "changed", stored(portal, decided)))
                before = stored(portal, decided)
            # Every refused write is journalled once, naming who and the case; a read is not.
            added = refused_attempts(portal)[len(attempts) :]
            expected = [] if method == "get" else [(auth[0], decided.number)]
            if [(actor, target) for actor, target, _route in added] != expected:
                problems.append((who, name, "journalled", added))
    assert problems == [], "\n".join(map(repr, problems))


def test_a_submitted_application_is_not_copied_over_rest_either(
    functional_portal, functional_granted, user_request, clock
):
    clock("2026-03-02")
    application = register_application_as(functional_portal, "member", "XK-T-001")
    transaction.commit()
    before = stored(functional_portal, application)
    response = user_request("member").post(
        f"{functional_portal.absolute_url()}/applications/@copy",
        json={"source": application.absolute_url()},
    )
    assert response.status_code == 409, response.text
    assert response.json()["type"] == "application_not_copyable"
    assert stored(functional_portal, application) == before


def test_a_client_chosen_id_does_not_win(
    functional_portal, functional_granted, user_request, clock
):
    clock("2026-03-02")
    transaction.commit()
    response = user_request("member").post(
        f"{functional_portal.absolute_url()}/applications",
        json={"@type": "Application", "id": "my-own-name", **application_data()},
    )
    assert response.status_code == 201, response.text
    transaction.begin()
    folder = functional_portal["applications"]
    assert "my-own-name" not in folder.objectIds()
    (application,) = folder.objectValues()
    assert application.getId() == application.number.lower()
    assert response.json()["@id"].endswith(f"/applications/{application.number.lower()}")


def test_registration_names_the_application_after_its_number(portal, submit, clock):
    clock("2026-03-02")
    login(portal, "member")
    try:
        application = submit("XK-T-001")
    finally:
        logout()
    assert application.getId() == application.number.lower()
