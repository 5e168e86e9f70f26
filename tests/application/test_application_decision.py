"""The decision over HTTP: the PDF kept and published to the holder, e-mails, and the freeze."""

from email.header import decode_header
from email.header import make_header
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from tests.application.test_application_restapi import REFUSED
from tests.application.test_application_restapi import submit
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import PIN
from tests.helpers.approval import poppler
from tests.helpers.approval import submitted_and_accepted
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.browser.applications import ApprovalQueueView
from zhangdian.approval.signing import decision
from zhangdian.approval.signing.decision import PENDING_KEY
from zhangdian.approval.signing.decision import sign_with_server_token
from zope.annotation.interfaces import IAnnotations

import base64
import pytest
import re
import requests
import socket
import transaction


def sign(session, url, name, reason="", pin=PIN):
    """Approve or refuse through @sign-server with the approver's PIN."""
    return session.post(
        f"{url}/@sign-server", json={"transition": name, "reason": reason, "pin": pin}
    )


def subjects(inbox):
    """Decoded subjects of the messages received."""
    return [str(make_header(decode_header(m["Subject"]))) for _rcpt, m in inbox.messages]


class TestDecisionDocument:
    def test_refusal_produces_the_pdf_for_the_holder_only(
        self, accepted, user_request, functional_portal, tmp_path
    ):
        approver = user_request("approver1")
        response = sign(approver, accepted, "refuse", "经营场所不符合条件")
        assert response.status_code == 200, response.text
        assert response.json()["signature"]["level"] == "PAdES-B-B"
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
        assert sign(approver, accepted, "approve").status_code == 200
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
        assert sign(user_request("approver1"), accepted, "approve").status_code == 200
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


class TestAgentAndVerification:
    def test_agent_round_trip_and_public_verification(
        self, accepted, user_request, agent, functional_portal
    ):
        approver = user_request("approver1")
        prepared = approver.post(
            f"{accepted}/@sign-prepare", json={"transition": "approve", "reason": ""}
        )
        assert prepared.status_code == 200, prepared.text
        body = prepared.json()
        assert body["summary"]["decision"] == "准予行政许可决定书"
        signed = requests.post(
            f"{agent}/sign",
            json={
                "nonce": body["nonce"],
                "data_to_sign": body["data_to_sign"],
                "document": body["document"],
                "summary": body["summary"],
            },
            headers={"Origin": "/".join(functional_portal.absolute_url().split("/")[:3])},
            timeout=30,
        )
        assert signed.status_code == 200, signed.text
        answer = signed.json()
        completion = {
            "nonce": body["nonce"],
            "signature": answer["signature"],
            "certificate": answer["certificate"],
        }
        done = approver.post(f"{accepted}/@sign-complete", json=completion)
        assert done.status_code == 200, done.text
        assert done.json()["review_state"] == "approved"
        # Decided: the permission to decide is gone, so the replay stops at the door.
        replay = approver.post(f"{accepted}/@sign-complete", json=completion)
        assert replay.status_code in REFUSED

        transaction.begin()
        application = functional_portal["applications"][accepted.rsplit("/", 1)[1]]
        pdf = application.decision_document.data
        anonymous = user_request(None)
        verify = f"{functional_portal.absolute_url()}/@verify"
        report = anonymous.post(verify, json={"file": base64.b64encode(pdf).decode()}).json()
        assert report["ok"] is True
        assert report["record"]["number"] == application.number
        assert report["signer"]["subject"].startswith("CN=李明")
        by_code = anonymous.get(
            verify, params={"number": application.number, "code": application.query_code}
        ).json()
        assert by_code["ok"] is True
        tampered = bytearray(pdf)
        tampered[len(tampered) // 3] ^= 0x01
        report = anonymous.post(
            verify, json={"file": base64.b64encode(bytes(tampered)).decode()}
        ).json()
        assert report["ok"] is False
        wrong = anonymous.get(verify, params={"number": application.number, "code": "WRONG234"})
        assert wrong.status_code == 404

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"transition": "approve", "reason": 5},
            {"transition": "publish"},
            {"transition": "approve", "certificate": "not base64!"},
        ],
    )
    def test_bad_prepare_requests_store_nothing(
        self, accepted, user_request, body, functional_portal
    ):
        response = user_request("approver1").post(f"{accepted}/@sign-prepare", json=body)
        assert response.status_code in (400, 403), response.text
        assert response.json()["message"]
        transaction.begin()
        application = functional_portal["applications"][accepted.rsplit("/", 1)[1]]
        assert IAnnotations(application).get(PENDING_KEY, {}) == {}

    @pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
    def test_json_services_want_the_json_media_type(
        self, accepted, user_request, functional_portal, content_type
    ):
        """A cross-site form cannot post a JSON-looking body to a service without CSRF check."""
        response = user_request("approver1").post(
            f"{accepted}/@sign-prepare",
            data='{"transition": "approve", "reason": ""}',
            headers={"Content-Type": content_type},
        )
        assert response.status_code == 415
        assert response.json()["type"] == "bad_content_type"
        transaction.begin()
        application = functional_portal["applications"][accepted.rsplit("/", 1)[1]]
        assert IAnnotations(application).get(PENDING_KEY, {}) == {}

    def test_malformed_json_and_unsigned_transition(self, accepted, user_request):
        approver = user_request("approver1")
        response = approver.post(
            f"{accepted}/@sign-complete",
            data=b"{not json",
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 400
        plain = approver.post(f"{accepted}/@workflow/approve")
        assert plain.status_code in (*REFUSED, 400)
        assert "签名" in plain.json()["error"]["message"]
        assert approver.get(accepted).json()["review_state"] == "accepted"


def html_session(userid):
    """A browser-like session (HTML pages, English) logged in as `userid`."""
    session = requests.Session()
    session.auth = (userid, PASSWORD)
    session.headers["Accept-Language"] = "en"
    return session


def state_of(session, url):
    """The review state the REST API reports for `url`."""
    return session.get(url, headers={"Accept": "application/json"}).json()["review_state"]


class TestDecisionPage:
    def test_page_offers_the_signature_and_the_form_signs(self, accepted):
        browser = html_session("approver1")
        page = browser.get(accepted)
        assert page.status_code == 200
        assert 'id="zd-decision"' in page.text
        assert "decision-signing.js" in page.text
        form = page.text.split('id="zd-decision"', 1)[1].split("</section>", 1)[0]
        # Plain words for the approver: the signature level is for the verification page.
        assert "PAdES" not in form
        assert 'id="decision-pin"' in form
        token = re.search(r'name="_authenticator"[^>]*value="(\w+)"', page.text).group(1)
        wrong = browser.post(
            f"{accepted}/@@sign-decision",
            data={
                "transition": "approve",
                "reason": "材料齐全，准予许可。",
                "pin": "000000",
                "_authenticator": token,
            },
        )
        assert wrong.status_code == 200
        # The page comes back with the message at the top of the form and what was typed.
        form = wrong.text.split('id="zd-decision"', 1)[1].split("</section>", 1)[0]
        assert 'id="zd-decision-errors"' in form
        assert ">材料齐全，准予许可。</textarea>" in form
        assert re.search(
            r'value="approve"\s+checked="checked"|checked="checked"[^>]*value="approve"', form
        )
        assert 'value="000000"' not in form
        assert state_of(browser, accepted) == "accepted"
        done = browser.post(
            f"{accepted}/@@sign-decision",
            data={"transition": "approve", "reason": "", "pin": PIN, "_authenticator": token},
        )
        assert done.status_code == 200
        assert state_of(browser, accepted) == "approved"
        page = browser.get(accepted).text
        assert 'id="zd-decision"' not in page
        assert "zd-signature" in page

    def test_form_without_csrf_token_is_refused(self, accepted):
        browser = html_session("approver1")
        response = browser.post(
            f"{accepted}/@@sign-decision", data={"transition": "approve", "pin": PIN}
        )
        assert response.status_code == 403
        assert state_of(browser, accepted) == "accepted"


class TestLists:
    def test_applicant_list_and_queue_show_the_deadline(self, accepted, functional_portal, clock):
        clock("2026-03-20")  # past the 5-working-day deadline of 2026-03-09
        mine = html_session("member").get(f"{functional_portal.absolute_url()}/applications")
        assert mine.status_code == 200
        assert "ZD-2026-000001" in mine.text
        assert "zd-deadline-overdue" in mine.text
        queue = html_session("approver1").get(
            f"{functional_portal.absolute_url()}/@@approval-queue"
        )
        assert "ZD-2026-000001" in queue.text
        assert "zd-deadline-overdue" in queue.text
        others = html_session("workgroup").get(f"{functional_portal.absolute_url()}/applications")
        assert "ZD-2026-000001" in others.text  # the working group oversees all

    def test_queue_page_is_paged_and_keeps_its_filters(
        self, accepted, functional_portal, user_request, monkeypatch
    ):
        monkeypatch.setattr(ApprovalQueueView, "page_size", 1)
        submit(user_request("member"), functional_portal)
        queue = f"{functional_portal.absolute_url()}/@@approval-queue"
        first = html_session("approver1").get(queue, params={"matter": "XK-T-001"})
        assert first.text.count("ZD-2026-00000") == 1
        assert "ZD-2026-000001" in first.text  # accepted first: it is due, the other is not yet
        later = re.search(r'href="([^"]*@@approval-queue\?[^"]*)"', first.text).group(1)
        assert "matter=XK-T-001" in later and "b_start=1" in later
        second = html_session("approver1").get(later.replace("&amp;", "&"))
        assert "ZD-2026-000002" in second.text and "ZD-2026-000001" not in second.text


class TestConflictRetry:
    """A ZODB conflict while recording a decision redoes the recording, never the signing."""

    def test_conflict_records_the_one_signature_made(
        self, accepted, functional_portal, monkeypatch
    ):
        transaction.begin()
        application = functional_portal["applications"][accepted.rsplit("/", 1)[1]]
        made = []
        real_sign = decision.sign_data_with_token

        def counted_sign(library, label, pin, data):
            made.append(label)
            return real_sign(library, label, pin, data)

        monkeypatch.setattr(decision, "sign_data_with_token", counted_sign)
        edits = []

        def edit_on_another_instance():
            """Another connection changes the same application and commits first, once."""
            if edits:
                return
            manager = transaction.TransactionManager()
            connection = functional_portal._p_jar.db().open(transaction_manager=manager)
            try:
                connection.get(application._p_oid).remarks = "edited elsewhere meanwhile"
                manager.commit()
            finally:
                connection.close()
            edits.append(True)

        transaction.get().addBeforeCommitHook(edit_on_another_instance)
        before = journal().length
        with api.env.adopt_user("approver1"):
            signed = sign_with_server_token(application, "approve", "", PIN, commit=True)
        assert edits == [True]
        assert made == ["approver1"]
        assert application.remarks == "edited elsewhere meanwhile"
        assert api.content.get_state(application) == "approved"
        assert application.decision_document.data == signed.pdf
        decisions = [
            journal().entries[seq]
            for seq in range(before + 1, journal().length + 1)
            if journal().entries[seq]["action"] == "application.approve"
        ]
        assert len(decisions) == 1
        assert decisions[0]["fingerprint"] == signed.signer_fingerprint


@pytest.fixture
def mail_server_down(functional_portal):
    """The portal's MailHost pointed at a loopback port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api.portal.set_registry_record("plone.email_from_address", "bureau@zhangdian.example.cn")
    api.portal.set_registry_record("plone.smtp_host", "127.0.0.1")
    api.portal.set_registry_record("plone.smtp_port", port)
    mailhost = functional_portal.MailHost
    mailhost.smtp_host, mailhost.smtp_port = "127.0.0.1", port
    with api.env.adopt_roles(["Manager"]):
        api.user.get(userid="member").setMemberProperties({"email": "member@example.org"})
    transaction.commit()


class TestMailServerDown:
    """The applicant's notice is sent after the commit: a dead mail server undoes nothing."""

    def test_acceptance_stands(
        self, functional_portal, functional_granted, user_request, mail_server_down, clock, caplog
    ):
        """Accepting answers 200 and the application stays accepted; the failure is logged."""
        clock("2026-03-02")
        url = submitted_and_accepted(functional_portal, user_request)
        transaction.begin()
        application = functional_portal["applications"][url.rsplit("/", 1)[-1]]
        assert api.content.get_state(application) == "accepted"
        assert "Could not e-mail member@example.org" in caplog.text
