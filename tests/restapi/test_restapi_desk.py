"""GET @desk: each role gets its desks' data, the same rows the desk pages show."""

from tests.helpers.approval import act
from tests.helpers.approval import register_application_as
from zhangdian.approval.casework.public import find_application

import pytest
import transaction


@pytest.fixture
def year(functional_portal, functional_decided_year, clock):
    """(decided year, stranded case number): the open case accepted by approver1 and overdue
    on 2026-05-04, and a case of a matter nobody is authorised for."""
    act(
        functional_portal,
        find_application(functional_decided_year.open_case),
        "accept",
        "approver1",
    )
    stranded = register_application_as(functional_portal, "member", "XK-T-101")
    transaction.commit()
    clock("2026-05-04")
    return functional_decided_year, stranded.number


def desk_of(user_request, userid):
    """The @desk answer for `userid`."""
    response = user_request(userid).get("@desk")
    assert response.status_code == 200, response.text
    return response.json()


def test_approver(user_request, year):
    year, _stranded = year
    """Counts per open state, the figures, the overdue case first; no other desk."""
    desk = desk_of(user_request, "approver1")
    approver = desk["approver"]
    assert approver["authorized"] is True
    assert approver["counts"]["accepted"] == 1
    assert approver["statistics"]["decided_total"] == 3
    assert [row["number"] for row in approver["due_soon"]] == [year.open_case]
    assert approver["due_soon"][0]["deadline"] == "overdue"
    assert desk["workbench"] is None and desk["supervision"] is None
    assert "my-tasks" in {entry["id"] for entry in desk["menu"]}


def test_working_group(user_request, year):
    """Roster by name, stranded cases, spot checks with sampled cases unchecked."""
    desk = desk_of(user_request, "workgroup")
    workbench = desk["workbench"]
    assert [row["valid_until"] for row in workbench["roster"]] == ["2026-12-31"]
    assert year[1] in [row["number"] for row in workbench["stranded"]]
    assert {row["title"] for row in workbench["callbacks"]} == {"回访：超期办结"}
    assert workbench["calendar_warning"] is None
    assert [row["checked"] for row in workbench["spot_checks_due"]] == [2]
    assert desk["approver"] is None and desk["supervision"] is None


@pytest.mark.parametrize("userid", ["supervisor", "auditor"])
def test_supervision(user_request, year, userid):
    """Overdue cases, the problem finding, the complaint."""
    supervision = desk_of(user_request, userid)["supervision"]
    year, _stranded = year
    assert [row["number"] for row in supervision["overdue"]] == [year.open_case]
    assert [finding["description"] for finding in supervision["findings"]] == ["超期办结"]
    assert [row["title"] for row in supervision["complaints"]] == ["回访：超期办结"]


def test_applicant_has_no_desk(user_request, year):
    """A member sees their menu and no desk data."""
    desk = desk_of(user_request, "member")
    assert (desk["approver"], desk["workbench"], desk["supervision"]) == (None, None, None)


def test_anonymous_is_refused(user_request, year):
    """No desk for visitors: 401 with the JSON error."""
    response = user_request(None).get("@desk")
    assert response.status_code == 401
    assert response.json()["type"] == "Unauthorized"
