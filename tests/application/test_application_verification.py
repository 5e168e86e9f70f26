"""The decision's QR code opens a page that verifies it, with no query code typed or printed."""

from tests.desks.test_desks import browser
from tests.helpers.approval import poppler
from zhangdian.approval.casework.lookup_limit import MAX_FAILURES
from zhangdian.approval.casework.public import find_application
from zhangdian.approval.casework.verification import TOKEN_LENGTH
from zhangdian.approval.casework.verification import verify_url

import hashlib
import pytest
import re
import transaction


@pytest.fixture
def year(functional_portal, functional_decided_year, clock):
    """The decided year, seen in March 2026."""
    clock("2026-03-20")
    return functional_decided_year


def decided(number):
    """The application, read fresh."""
    transaction.begin()
    return find_application(number)


def printed_text(pdf, tmp_path):
    """The decision's text as poppler extracts it, without line breaks or spaces."""
    return re.sub(r"\s+", "", poppler("pdftotext", pdf, tmp_path, "-raw"))


class TestTheAddress:
    """What the QR code encodes."""

    def test_number_and_token_not_the_query_code(self, year, tmp_path):
        """The printed address carries the number and an 80-bit token; the code stays out."""
        application = decided(year.approved[0])
        url = verify_url(application, application.decision)
        assert re.fullmatch(
            rf"http://[^/]+/plone/@@verify-decision\?number={application.number}"
            rf"&token=[0-9a-f]{{{TOKEN_LENGTH}}}",
            url,
        )
        assert application.query_code not in url
        assert url in printed_text(application.decision_document.data, tmp_path)

    def test_token_is_bound_to_number_and_decision(self, year):
        """Each decision has its own token; the same case refused would have another."""
        first, second = (decided(number) for number in year.approved)
        assert verify_url(first, "approved") != verify_url(second, "approved")
        assert verify_url(first, "approved") != verify_url(first, "refused")


class TestThePage:
    """Opening the address, as anyone who scans the QR code does."""

    @pytest.mark.parametrize("userid", [None, "member", "approver1", "supervisor"])
    def test_scan_shows_the_verified_decision(self, year, userid):
        """Valid signature, the record's number, outcome and the PDF's SHA-256; no query code."""
        application = decided(year.approved[0])
        page = browser(userid).get(verify_url(application, "approved"), timeout=60)
        assert page.status_code == 200
        assert "zd-verify-ok" in page.text
        assert re.search(rf'zd-verify-number">{application.number}<', page.text)
        assert "准予" in page.text or "批准" in page.text
        sha256 = hashlib.sha256(application.decision_document.data).hexdigest()
        assert sha256 in page.text
        assert application.query_code not in page.text

    def test_refusal_verifies_too(self, year):
        """A refused case's QR code shows the refusal."""
        application = decided(year.refused)
        page = browser().get(verify_url(application, "refused"), timeout=60)
        assert page.status_code == 200
        assert "zd-verify-ok" in page.text
        assert "不予" in page.text or "拒绝" in page.text

    @pytest.mark.parametrize(
        "change",
        ["flipped", "other-number", "other-decision", "short", "open-case", "unknown-number"],
    )
    def test_changed_address_is_refused_clearly(self, year, change):
        """Any change to number or token: 404 with the message, no decision shown."""
        application = decided(year.approved[0])
        url = verify_url(application, "approved")
        number, token = re.search(r"number=([^&]+)&token=(\w+)", url).groups()
        changed = {
            "flipped": (number, token[:-1] + ("0" if token[-1] != "0" else "1")),
            "other-number": (year.approved[1], token),
            "other-decision": (
                number,
                re.search(r"token=(\w+)", verify_url(application, "refused")).group(1),
            ),
            "short": (number, token[:8]),
            "open-case": (year.open_case, token),
            "unknown-number": ("ZD-2026-999999", token),
        }[change]
        base = url.split("?")[0]
        page = browser(language="en").get(
            base, params={"number": changed[0], "token": changed[1]}, timeout=60
        )
        assert page.status_code == 404
        assert "matches no decision of the bureau" in page.text
        assert "zd-verify-ok" not in page.text and "zd-verify-record" not in page.text

    def test_guessing_uses_up_the_lookup_limit(self, year, clock):
        """Wrong tokens count as failed lookups: the right one is then refused (429) too."""
        application = decided(year.approved[0])
        url = verify_url(application, "approved")
        base = url.split("?")[0]
        session = browser(language="en")
        clock("2026-03-20 10:00:00 +0800")
        for guess in range(MAX_FAILURES):
            wrong = session.get(
                base, params={"number": application.number, "token": f"{guess:020x}"}, timeout=60
            )
            assert wrong.status_code == 404
        refused = session.get(url, timeout=60)
        assert refused.status_code == 429
        assert "Retry-After" in refused.headers
        assert "zd-verify-ok" not in refused.text
        clock("2026-03-20 10:11:00 +0800")
        assert "zd-verify-ok" in session.get(url, timeout=60).text

    def test_status_page_links_the_same_address(self, year):
        """The holder's status page offers the address of the decision's QR code."""
        application = decided(year.approved[0])
        base = verify_url(application, "approved").split("/@@")[0]
        page = browser().get(
            f"{base}/@@application-status",
            params={"number": application.number, "code": application.query_code},
            timeout=60,
        )
        link = re.search(r'class="zd-verify-link[^"]*"\s+href="([^"]+)"', page.text)
        assert link and link.group(1).replace("&amp;", "&") == verify_url(application, "approved")

    def test_number_alone_is_no_error(self, year):
        """An older QR code (number only) fills in the lookup without a red 'no such case'."""
        application = decided(year.approved[0])
        base = verify_url(application, "approved").split("/@@")[0]
        page = browser().get(
            f"{base}/@@application-status", params={"number": application.number}, timeout=60
        )
        assert page.status_code == 200
        assert f'value="{application.number}"' in page.text
        assert "alert-danger" not in page.text
