"""The case page links the evidence bundle for those who may export it, and only for them."""

from tests.helpers.approval import PASSWORD

import pytest
import requests


@pytest.mark.parametrize(
    ("userid", "linked"),
    [("auditor", True), ("supervisor", True), ("approver1", False), ("member", False)],
)
def test_the_evidence_bundle_is_one_click_from_the_case(functional_decided, userid, linked):
    url = functional_decided.absolute_url()
    page = requests.get(url, auth=(userid, PASSWORD), timeout=60)
    assert page.status_code == 200
    assert ('id="zd-evidence-bundle"' in page.text) is linked
    if linked:
        bundle = requests.get(f"{url}/@@evidence-bundle", auth=(userid, PASSWORD), timeout=60)
        assert bundle.headers["Content-Type"] == "application/zip"
