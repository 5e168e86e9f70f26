"""A Manager's copy, move or rename of a decided application gets 409 and the reason (not
Zope's 500 CopyError), and every refused attempt on it is journalled: who, what, when."""

from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import register_application_as
from tests.security.test_security_frozen import REFUSED_ATTEMPT
from tests.security.test_security_frozen import stored
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.audit.journal import verify_journal

import pytest
import requests
import transaction


MANAGER = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)


@pytest.fixture
def decided(functional_decided):
    """The decided application of tests/fixtures/applications.py."""
    return functional_decided


def attempts():
    """The refused-attempt entries of the journal."""
    transaction.begin()
    return [e for e in journal().entries.values() if e["action"] == REFUSED_ATTEMPT]


def manager_routes(portal, application):
    """(name, method, url, keyword arguments, REST?) a Manager copies, moves or renames by."""
    url = application.absolute_url()
    root = portal.absolute_url()
    folder = f"{root}/applications"
    rest = {"headers": {"Accept": "application/json"}}
    return (
        ("REST @copy", "post", f"{folder}/@copy", {"json": {"source": url}, **rest}, True),
        ("REST @move", "post", f"{root}/@move", {"json": {"source": url}, **rest}, True),
        (
            "manage_renameObject",
            "post",
            f"{folder}/manage_renameObject",
            {"data": {"id": application.getId(), "new_id": "renamed"}},
            False,
        ),
        (
            "manage_copyObjects",
            "post",
            f"{folder}/manage_copyObjects",
            {"data": {"ids:list": application.getId()}},
            False,
        ),
        (
            "manage_cutObjects",
            "post",
            f"{folder}/manage_cutObjects",
            {"data": {"ids:list": application.getId()}},
            False,
        ),
        (
            "manage_renameObjects",
            "post",
            f"{folder}/manage_renameObjects",
            {"data": {"ids:list": application.getId(), "new_ids:list": "renamed"}},
            False,
        ),
    )


KINDS = {"REST @move": "application_not_movable", "manage_renameObject": "application_not_movable"}


@pytest.mark.parametrize("index", range(6))
def test_a_manager_gets_409_and_the_reason(functional_portal, decided, index):
    name, method, url, kwargs, rest = manager_routes(functional_portal, decided)[index]
    before = stored(functional_portal, decided)
    count = len(attempts())
    response = requests.request(
        method,
        url,
        auth=MANAGER,
        allow_redirects=False,
        timeout=60,
        headers={**kwargs.pop("headers", {}), "Accept-Language": "zh-cn"},
        **kwargs,
    )
    assert response.status_code == 409, (name, response.status_code, response.text[:300])
    movable = "move" in name or "cut" in name.lower() or "rename" in name.lower()
    code = "application_not_movable" if movable else "application_not_copyable"
    if rest:
        assert response.json()["type"] == code
        assert response.json()["message"]
    else:
        # The Classic / ZMI answer is a page that says why, not Zope's error page.
        assert response.headers["Content-Type"].startswith("text/html")
        assert f'data-type="{code}"' in response.text or f"data-type='{code}'" in response.text
    assert stored(functional_portal, decided) == before
    transaction.begin()
    assert decided.getId() in functional_portal["applications"].objectIds()
    (entry,) = attempts()[count:]
    assert (entry["actor"], entry["target"]) == (SITE_OWNER_NAME, decided.number)
    assert entry["after"]["status"] == 409
    assert entry["after"]["reason"] == code
    assert entry["after"]["route"].startswith("POST /plone/")
    assert entry["at"].startswith("2026-03-02")
    assert verify_journal().ok


def test_the_refused_attempt_holds_nothing_of_the_refused_request(functional_portal, decided):
    """The attempt's own transaction was aborted: only the journal entry is written after it."""
    before = stored(functional_portal, decided)
    length = journal().length
    response = requests.patch(
        decided.absolute_url(),
        json={"title": "改", "contact_phone": "110"},
        auth=("workgroup", PASSWORD),
        headers={"Accept": "application/json"},
        timeout=60,
    )
    assert response.status_code in (401, 403)
    assert stored(functional_portal, decided) == before
    transaction.begin()
    assert journal().length == length + 1
    entry = journal().entries[journal().length]
    assert (entry["action"], entry["actor"], entry["target"]) == (
        REFUSED_ATTEMPT,
        "workgroup",
        decided.number,
    )
    assert entry["after"]["route"] == f"PATCH /plone/applications/{decided.getId()}"
    assert entry["after"]["reason"] == "Unauthorized"
    assert verify_journal().ok


def test_anonymous_and_reads_are_not_journalled(functional_portal, decided):
    length = journal().length
    anonymous = requests.patch(
        decided.absolute_url(),
        json={"title": "改"},
        headers={"Accept": "application/json"},
        timeout=60,
    )
    assert anonymous.status_code == 401
    page = requests.get(
        f"{decided.absolute_url()}/@@edit", auth=("workgroup", PASSWORD), timeout=60
    )
    assert page.status_code in (200, 401, 403)
    transaction.begin()
    assert journal().length == length


def test_an_open_application_s_refusals_are_not_refused_attempts(
    functional_portal, functional_granted, clock
):
    """Only kept records count: a refusal on a submitted application is an ordinary one."""
    clock("2026-03-02")
    application = register_application_as(functional_portal, "member", "XK-T-001")
    transaction.commit()
    count = len(attempts())
    response = requests.patch(
        application.absolute_url(),
        json={"title": "改"},
        auth=("auditor", PASSWORD),
        headers={"Accept": "application/json"},
        timeout=60,
    )
    assert response.status_code in (401, 403)
    assert len(attempts()) == count
