"""A raised ApprovalError becomes `{"type", "message"}` with its status, and nothing is stored."""

from plone import api
from zhangdian.approval import _
from zhangdian.approval.content.matter import find_matter_by_code
from zhangdian.approval.errors import Refused
from zhangdian.approval.rules.authorization import REASONS
from zope.i18n import translate

import pytest
import transaction


NO_MATTER = "Name the matter: ?matter=CODE."
NOT_FOUND = "No application matches this number and query code."


@pytest.fixture
def session(functional_matter_list, user_request):
    """A REST session of the working group, which may read every matter."""
    return user_request("workgroup")


@pytest.mark.parametrize("language,target", [("zh-cn", "zh_CN"), ("en", "en")])
def test_bad_input_in_the_request_language(session, language, target):
    """A service raises BadInput; the error view answers 400 in the language asked for."""
    message = translate(_("error_check_no_matter", default=NO_MATTER), target_language=target)
    assert (message == NO_MATTER) == (target == "en")
    response = session.get("@authorization-check", headers={"Accept-Language": language})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {"type": "BadRequest", "message": message}


def test_not_found_keeps_its_status(session):
    """NothingFound is a 404 with the zExceptions name as its type."""
    response = session.get(
        "@application-status",
        params={"number": "ZD-2026-999999", "code": "NOPE"},
        headers={"Accept-Language": "zh-cn"},
    )
    assert response.status_code == 404
    assert response.json() == {
        "type": "NotFound",
        "message": translate(
            _("error_status_not_found", default=NOT_FOUND), target_language="zh_CN"
        ),
    }


def test_a_raised_error_aborts_what_the_service_wrote(session, monkeypatch):
    """A service that wrote before it raised stores nothing: the publisher aborts."""
    reason = REASONS["out_of_scope"]

    def write_then_refuse(userid, matter):
        matter.title = "half-written"
        matter.reindexObject()
        raise Refused(reason, code="test_refused", status=409)

    monkeypatch.setattr(
        "zhangdian.approval.services.authorization_check.get.may_decide", write_then_refuse
    )
    response = session.get(
        "@authorization-check", params={"matter": "XK-T-001"}, headers={"Accept-Language": "zh-cn"}
    )
    assert response.status_code == 409
    assert response.json() == {
        "type": "test_refused",
        "message": translate(reason, target_language="zh_CN"),
    }
    transaction.begin()
    brain = find_matter_by_code("XK-T-001")
    assert brain.Title != "half-written"
    assert brain._unrestrictedGetObject().title != "half-written"
    assert len(api.content.find(Title="half-written", unrestricted=True)) == 0
