"""The assessment page, its exports and its REST endpoint over a year with decided cases."""

from tests.helpers.approval import PASSWORD

import pytest
import requests


JSON = {"Accept": "application/json"}


def session(userid, language="zh-CN"):
    """A logged-in HTTP session that asks for pages in `language`."""
    browser = requests.Session()
    browser.auth = (userid, PASSWORD)
    browser.headers["Accept-Language"] = language
    return browser


@pytest.mark.parametrize("userid", ["supervisor", "auditor", "workgroup"])
def test_page_shows_the_decided_year(functional_portal, functional_decided_year, userid):
    """Decided cases, findings and a call-back are on the page, for every reader."""
    base = functional_portal.absolute_url()
    page = session(userid).get(f"{base}/@@annual-assessment", params={"year": "2026"}, timeout=60)
    assert page.status_code == 200, page.text[:2000]
    assert "本年度没有审批员办结案件。" not in page.text
    row = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    cells = [cell.split("</td>", 1)[0].strip() for cell in row.split("<td>")[1:]]
    # approver1 (李明): 3 decided, 2 of 3 on time, 2 spot-checked (1 problem), 1 complaint.
    assert cells[1:] == ["3", "0.6667", cells[3], "2", "0.5", "2.75", "1"]
    assert 'style="height: 1em; width: 67%"' in page.text
    assert ("@@record-grade" in page.text) is (userid == "workgroup")


@pytest.mark.parametrize("userid", ["supervisor", "auditor"])
def test_exports_and_rest_with_data(functional_portal, functional_decided_year, userid):
    """XLSX, PDF and the REST figures agree with the page."""
    base = functional_portal.absolute_url()
    reader = session(userid)
    rest = reader.get(
        f"{base}/@annual-assessment", params={"year": "2026"}, headers=JSON, timeout=60
    )
    assert rest.status_code == 200
    (item,) = rest.json()["items"]
    assert item["approver"] == "approver1"
    assert (item["decided"], item["on_time_rate"], item["spot_checked"]) == (3, 0.6667, 2)
    assert (item["problem_rate"], item["satisfaction"], item["complaints"]) == (0.5, 2.75, 1)
    xlsx = reader.get(f"{base}/@@annual-assessment.xlsx", params={"year": "2026"}, timeout=60)
    assert xlsx.status_code == 200
    pdf = reader.get(f"{base}/@@annual-assessment.pdf", params={"year": "2026"}, timeout=60)
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("userid", ["member", "approver1", None])
def test_others_do_not_read_it(functional_portal, functional_decided_year, userid):
    """The applicant, the approver and anonymous are refused the page and the endpoint."""
    base = functional_portal.absolute_url()
    reader = session(userid) if userid else requests.Session()
    rest = reader.get(
        f"{base}/@annual-assessment", params={"year": "2026"}, headers=JSON, timeout=60
    )
    assert rest.status_code == 401
    page = reader.get(
        f"{base}/@@annual-assessment", params={"year": "2026"}, allow_redirects=False, timeout=60
    )
    assert page.status_code == 302 and "require_login" in page.headers["Location"]
