"""The decision over HTTP: the PDF kept and published to the holder, e-mails, and the freeze."""

from application.test_application_restapi import REFUSED
from application.test_application_restapi import submit
from approval_testing import poppler
from email.header import decode_header
from email.header import make_header
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD

import pytest
import transaction


CHECKLIST = {
    "checked_materials": ["m0", "m1"],
    "legal_basis_confirmed": True,
    "conditions_confirmed": True,
}


@pytest.fixture
def accepted(functional_portal, functional_granted, user_request, smtp, clock):
    """An application by `member` (member@example.org), accepted by approver1 on 2026-03-02."""
    clock("2026-03-02")
    with api.env.adopt_roles(["Manager"]):
        api.user.get(userid="member").setMemberProperties({"email": "member@example.org"})
    transaction.commit()
    url = submit(user_request("member"), functional_portal).json()["@id"]
    approver = user_request("approver1")
    assert approver.post(f"{url}/@workflow/accept").status_code == 200
    assert approver.patch(url, json=CHECKLIST).status_code == 204
    return url


def subjects(inbox):
    """Decoded subjects of the messages received."""
    return [str(make_header(decode_header(m["Subject"]))) for _rcpt, m in inbox.messages]


class TestDecisionDocument:
    def test_refusal_produces_the_pdf_for_the_holder_only(
        self, accepted, user_request, functional_portal, tmp_path
    ):
        approver = user_request("approver1")
        response = approver.post(
            f"{accepted}/@workflow/refuse", json={"comment": "经营场所不符合条件"}
        )
        assert response.status_code == 200, response.text
        transaction.begin()
        application = functional_portal["applications"][accepted.rsplit("/", 1)[1]]
        anonymous = user_request(None)
        status = anonymous.get(
            f"{functional_portal.absolute_url()}/@application-status",
            params={"number": application.number, "code": application.query_code},
        ).json()
        assert status["review_state"] == "refused"
        document = anonymous.get(status["decision_document"])
        assert document.status_code == 200
        assert document.headers["Content-Type"] == "application/pdf"
        text = poppler("pdftotext", document.content, tmp_path)
        assert "不予行政许可决定书" in text
        assert application.number in text
        assert "经营场所不符合条件" in text
        wrong = anonymous.get(
            f"{functional_portal.absolute_url()}/@@decision-document",
            params={"number": application.number, "code": "WRONG234"},
        )
        assert wrong.status_code == 404

    def test_applicant_is_told_at_each_step(self, accepted, user_request, smtp):
        approver = user_request("approver1")
        notice = "请补充法定代表人身份证复印件"
        approver.post(f"{accepted}/@workflow/request_supplement", json={"comment": notice})
        member = user_request("member")
        assert member.post(f"{accepted}/@workflow/resubmit").status_code == 200
        assert approver.post(f"{accepted}/@workflow/approve").status_code == 200
        titles = subjects(smtp)
        assert [t.split("】")[0] for t in titles] == [
            "【已受理",
            "【补正材料一次性告知",
            "【准予行政许可",
        ]
        assert all(rcpt == ["member@example.org"] for rcpt, _m in smtp.messages)
        body = smtp.messages[1][1].get_payload(decode=True).decode()
        assert notice in body


class TestFrozen:
    def test_nobody_changes_a_decided_application(
        self, accepted, user_request, request_factory, functional_portal
    ):
        assert user_request("approver1").post(f"{accepted}/@workflow/approve").status_code == 200
        manager = request_factory(basic_auth=(SITE_OWNER_NAME, SITE_OWNER_PASSWORD))
        sessions = {
            "manager": manager,
            "approver1": user_request("approver1"),
            "member": user_request("member"),
            "workgroup": user_request("workgroup"),
        }
        for who, session in sessions.items():
            patch = session.patch(accepted, json={"applicant_name": "改名", "remarks": "x"})
            assert patch.status_code in REFUSED, who
            for name in ("refuse", "withdraw", "accept"):
                assert session.post(f"{accepted}/@workflow/{name}").status_code in (
                    *REFUSED,
                    400,
                ), (who, name)
            upload = session.post(
                accepted,
                json={"@type": "SubmittedMaterial", "material": "m0", "title": "后补"},
            )
            assert upload.status_code in REFUSED, who
            assert session.delete(accepted).status_code in REFUSED, who
        transaction.begin()
        application = functional_portal["applications"][accepted.rsplit("/", 1)[1]]
        assert api.content.get_state(application) == "approved"
        assert application.applicant_name != "改名"
        assert application.objectIds() == []
