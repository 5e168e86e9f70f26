"""Failed public status lookups are limited per client address, over REST and on the page."""

from tests.application.test_application_restapi import rest  # noqa: F401 - a fixture
from tests.application.test_application_restapi import submit
from zhangdian.approval import _
from zhangdian.approval.casework.lookup_limit import MAX_FAILURES
from zope.i18n import translate

import pytest
import transaction


@pytest.fixture
def held(rest, user_request):  # noqa: F811 - the fixture imported above
    """(site URL, number, query code) of an application member submitted on 2026-06-01."""
    url = submit(user_request("member"), rest).json()["@id"]
    transaction.begin()
    application = rest["applications"][url.rsplit("/", 1)[1]]
    return rest.absolute_url(), application.number, application.query_code


def too_many(minutes, language):
    """The refusal's message as the portal translates it."""
    message = _(
        "error_status_too_many",
        default="Too many lookups with a wrong number or query code from your address; try "
        "again in ${minutes} minutes.",
        mapping={"minutes": minutes},
    )
    return translate(message, target_language=language)


def test_rest_refuses_after_ten_failures_until_the_window_passes(held, user_request, clock):
    site, number, code = held
    lookup = f"{site}/@application-status"
    anonymous = user_request(None)
    clock("2026-06-01 12:00:00 +0800")
    for minute in range(MAX_FAILURES):
        clock(f"2026-06-01 12:0{minute}:00 +0800")
        # A success among the failures neither counts nor clears them.
        assert anonymous.get(lookup, params={"number": number, "code": code}).status_code == 200
        wrong = anonymous.get(lookup, params={"number": number, "code": "WRONG123"})
        assert wrong.status_code == 404, minute
    clock("2026-06-01 12:09:30 +0800")
    refused = anonymous.get(
        lookup, params={"number": number, "code": code}, headers={"Accept-Language": "zh-cn"}
    )
    assert refused.status_code == 429
    # The oldest failure (12:00) leaves the window at 12:10, thirty seconds from now.
    assert refused.headers["Retry-After"] == "30"
    assert refused.json() == {"type": "too_many_lookups", "message": too_many(1, "zh_CN")}
    # Missing parameters are refused before the limit and are not lookups.
    assert anonymous.get(lookup, params={"number": number}).status_code == 400
    clock("2026-06-01 12:10:00 +0800")
    assert anonymous.get(lookup, params={"number": number, "code": code}).status_code == 200
    wrong = anonymous.get(lookup, params={"number": number, "code": "WRONG123"})
    assert wrong.status_code == 404
    assert anonymous.get(lookup, params={"number": number, "code": code}).status_code == 429


def test_the_page_refuses_with_429_and_the_message(held, user_request, clock):
    site, number, code = held
    page = f"{site}/@@application-status"
    anonymous = user_request(None)
    anonymous.headers["Accept-Language"] = "en"
    clock("2026-06-01 12:00:00 +0800")
    for _attempt in range(MAX_FAILURES):
        assert anonymous.get(page, params={"number": number, "code": "WRONG123"}).status_code == 200
    refused = anonymous.get(page, params={"number": number, "code": code})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "600"
    assert "zd-status-too-many" in refused.text
    assert too_many(10, "en") in refused.text
    assert number not in refused.text.split("zd-status-too-many", 1)[1]
    clock("2026-06-01 12:10:00 +0800")
    assert number in anonymous.get(page, params={"number": number, "code": code}).text


def test_each_address_counts_its_own(held, user_request, clock):
    site, number, code = held
    lookup = f"{site}/@application-status"
    clock("2026-06-01 12:00:00 +0800")
    for _attempt in range(MAX_FAILURES):
        user_request(None).get(lookup, params={"number": number, "code": "WRONG123"})
    # Zope takes X-Forwarded-For only from trusted proxies; the test server trusts none.
    spoofed = user_request(None).get(
        lookup, params={"number": number, "code": code}, headers={"X-Forwarded-For": "10.0.0.9"}
    )
    assert spoofed.status_code == 429
