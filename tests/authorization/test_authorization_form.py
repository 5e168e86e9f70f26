"""The working group's add and edit form: a person picker, a made title, grouped evidence."""

from plone import api
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import transition
from tests.reliability.bad_input import fingerprint
from tests.security.test_separation_of_duties import FormFields
from tests.security.test_separation_of_duties import submit_edit_form

import pytest
import re
import requests
import transaction


EVIDENCE = {
    "form.widgets.scope_categories": "jmss",
    "form.widgets.valid_from": "2026-01-01",
    "form.widgets.valid_until": "2026-12-31",
    "form.widgets.joined_department": "2020-03-01",
    "form.widgets.established_post:list": "selected",
    "form.widgets.enforcement_certificate_no": "鲁淄执字-0009",
    "form.widgets.enforcement_certificate_expiry": "2029-12-31",
    "form.widgets.exam_date": "2025-06-01",
    "form.widgets.exam_score": "86",
    "form.widgets.exam_certificate_no": "ZD-EXAM-0009",
    "form.widgets.training_records": "2025 年独立审批员岗位培训（40 学时）",
    "form.widgets.last_training_date": "2025-12-15",
    "form.widgets.last_appraisal": "excellent",
}


@pytest.fixture
def site(functional_matter_list, functional_portal, clock):
    """The functional site on 2026-01-02; approver2 is 王芳, with no authorisation yet."""
    clock("2026-01-02")
    with api.env.adopt_roles(["Manager"]):
        api.user.create(
            username="approver2",
            email="approver2@example.org",
            password=PASSWORD,
            properties={"fullname": "王芳"},
        )
    transaction.commit()
    return functional_portal


def session_of(userid, language="en"):
    """A logged-in HTTP session of `userid`."""
    session = requests.Session()
    session.auth = (userid, PASSWORD)
    session.headers["Accept-Language"] = language
    return session


def add_form_url(portal):
    """The add form of an authorisation in the roster."""
    return f"{portal['approvers'].absolute_url()}/++add++ApproverAuthorization"


def submit_add_form(portal, userid, approver):
    """Load the add form as `userid`, fill it in for `approver`, press Save; the answer."""
    session = session_of(userid)
    page = session.get(add_form_url(portal), timeout=60)
    assert page.status_code == 200, page.status_code
    parser = FormFields("++add++ApproverAuthorization")
    parser.feed(page.text)
    changes = {**EVIDENCE, "form.widgets.approver": approver}
    fields = [
        (name, value)
        for name, value in parser.fields
        if name.removesuffix(":list").removesuffix(".to") not in changes
    ]
    fields += [*changes.items(), ("form.buttons.save", "Save")]
    return session.post(add_form_url(portal), data=fields, timeout=60)


def authorizations(portal):
    """The committed authorisations, by id."""
    transaction.begin()
    return {
        brain.getId: brain._unrestrictedGetObject()
        for brain in api.content.find(portal_type="ApproverAuthorization", unrestricted=True)
    }


class TestAddFormShows:
    """What the working group sees: no title or summary, a picker, the plan's groups."""

    def test_no_title_no_summary_a_picker_and_three_groups(self, site):
        page = session_of("workgroup").get(add_form_url(site), timeout=60)
        assert page.status_code == 200
        assert "form.widgets.IBasic.title" not in page.text
        assert "form.widgets.IBasic.description" not in page.text
        assert "Summary" not in page.text
        picker = re.search(r'<select[^>]*name="form\.widgets\.approver[^"]*"[^>]*>', page.text)
        assert picker and "pat-select2" in picker.group(0)
        assert re.search(r'<option [^>]*value="approver2">王芳 \(approver2\)</option>', page.text)
        assert not re.search(r'<input[^>]*name="form\.widgets\.approver"', page.text)
        # Nobody preselected: the first choice is the prompt, and no account is selected.
        select = page.text.split('name="form.widgets.approver', 1)[1].split("</select>", 1)[0]
        options = re.findall(r"<option[^>]*>", select)
        assert 'value=""' in options[0] and "novalue" in options[0]
        assert not any("selected" in o for o in options[1:]), options
        for label in ("Employment", "Exam", "Training and appraisal"):
            assert f">{label}<" in page.text

    def test_zh_cn_labels(self, site):
        page = session_of("workgroup", "zh-CN").get(add_form_url(site), timeout=60).text
        assert "标题" not in page
        assert "Summary" not in page


class TestAddForm:
    """One member creates through the form, another confirms; the rules still apply."""

    def test_created_with_the_made_title_and_granted_by_two(self, site):
        response = submit_add_form(site, "workgroup", "approver2")
        assert response.status_code == 200
        (authorization,) = authorizations(site).values()
        assert authorization.approver == "approver2"
        assert authorization.Title() == "王芳 2026-01-01 – 2026-12-31"
        assert authorization.getId() == "approverauthorization"
        (brain,) = api.content.find(UID=authorization.UID(), unrestricted=True)
        assert brain.Title == "王芳 2026-01-01 – 2026-12-31"
        assert "王芳 2026-01-01 – 2026-12-31" in response.text
        transition(site, authorization, "propose", userid="workgroup")
        transition(site, authorization, "grant", userid="workgroup2")
        transaction.commit()
        assert api.content.get_state(authorization) == "active"

    def test_own_authorization_refused(self, site):
        before = fingerprint(site)
        response = submit_add_form(site, "workgroup", "workgroup")
        assert response.status_code == 200
        assert "Nobody creates, proposes, confirms, widens or renews" in response.text
        assert fingerprint(site) == before
        assert authorizations(site) == {}

    def test_group_refused(self, site):
        """A group is no choice of the picker; posted anyway, the form refuses it."""
        before = fingerprint(site)
        response = submit_add_form(site, "workgroup", "Administrators")
        assert response.status_code == 200
        assert "Required input is missing." in response.text
        assert fingerprint(site) == before
        assert authorizations(site) == {}

    @pytest.mark.parametrize("userid", ["approver1", "supervisor", "auditor", "member"])
    def test_others_may_not_open_it(self, site, userid):
        """No form for them (the supervisor meets Plone's own refusal of a disallowed type)."""
        before = fingerprint(site)["objects"]
        response = session_of(userid).get(add_form_url(site), timeout=60, allow_redirects=False)
        assert response.status_code != 200
        assert "form.widgets.approver" not in response.text
        # The journal records the refused access; no object changed.
        assert fingerprint(site)["objects"] == before


class TestEditKeepsOrRemakesTheTitle:
    """An edit of the period remakes the title; any other edit keeps it."""

    @pytest.fixture
    def pending(self, site):
        submit_add_form(site, "workgroup", "approver2")
        (authorization,) = authorizations(site).values()
        authorization.title = "a title from before 1006"
        transaction.commit()
        return authorization

    def test_other_edit_keeps_title(self, site, pending):
        response = submit_edit_form(pending, "workgroup", {"form.widgets.exam_score": "90"})
        assert response.status_code == 200
        transaction.begin()
        assert pending.exam_score == 90
        assert pending.Title() == "a title from before 1006"

    def test_period_edit_remakes_title(self, site, pending):
        response = submit_edit_form(
            pending, "workgroup", {"form.widgets.valid_until": "2026-06-30"}
        )
        assert response.status_code == 200
        transaction.begin()
        assert pending.Title() == "王芳 2026-01-01 – 2026-06-30"

    def test_approver_change_refused(self, site, pending):
        before = fingerprint(site)
        response = submit_edit_form(pending, "workgroup", {"form.widgets.approver": "member"})
        assert "The approver of an authorisation never changes" in response.text
        assert fingerprint(site) == before


class TestPickerVocabulary:
    """@vocabularies serves the picker's list: every account only to who manages the roster."""

    def test_working_group_sees_the_accounts(self, site):
        url = f"{site.absolute_url()}/@vocabularies/zhangdian.approval.user_accounts"
        answer = session_of("workgroup").get(url, headers={"Accept": "application/json"})
        assert answer.status_code == 200, answer.text
        tokens = {item["token"] for item in answer.json()["items"]}
        assert {"approver2", "member", "supervisor"} <= tokens

    @pytest.mark.parametrize("userid", ["member", "approver1", "supervisor", "auditor"])
    def test_others_see_no_account(self, site, userid):
        url = f"{site.absolute_url()}/@vocabularies/zhangdian.approval.user_accounts"
        answer = session_of(userid).get(url, headers={"Accept": "application/json"})
        assert answer.status_code in (200, 401, 403), answer.text
        if answer.status_code == 200:
            assert answer.json()["items"] == []
