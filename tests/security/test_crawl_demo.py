"""The crawl over the demo portal itself (as `make start` builds it): from the home page, by
following links only, as each of its people; no link may fail, no page may show an error."""

from tests.security.test_crawl import MSGID
from tests.security.test_crawl import NOT_FOLLOWED
from tests.security.test_crawl import TWO_DIGIT_YEAR
from tests.security.test_crawl import read_page
from tests.setup.test_setup_demo_casework import demo_site  # noqa: F401 - a fixture
from urllib.parse import urljoin
from urllib.parse import urlsplit
from zhangdian.approval.setuphandlers.demo import DEMO_PASSWORD

import pytest
import requests


# The demo's people (DESIGN.md), None for the public.
PEOPLE = (None, "applicant1", "approver1", "workgroup", "supervisor")
# Clicks from the home page, and pages per person: bounded, the demo's pages are all reached.
DEPTH = 3
MOST_PAGES = 700
# What a page rendered with a broken template, or Zope's error page, says.
ERROR_TEXT = ("Traceback", "LocationError", "NameError", "KeyError", "AttributeError", "发生错误")
# Plone's own links that lead outside what the demo is about (the user's own preferences,
# history diffs and versions views of every revision), still followed once at the first level.
NOT_DEEPER = ("@@personal-information", "@@user-information", "@@history?", "versions_history")


def refusal_page(response):
    """Our deliberate 403 page (browser/refused.py), not an error."""
    return response.status_code == 403 and "zd-refused" in response.text


def crawl_from_home(base, userid):
    """Follow the links from the home page as `userid`; ([(url, problem, shown on)], count)."""
    session = requests.Session()
    session.headers.update({"Accept": "text/html", "Accept-Language": "zh-CN"})
    if userid:
        session.auth = (userid, DEMO_PASSWORD)
    problems, seen, queue = [], set(), [(base, None, 0)]
    while queue and len(seen) < MOST_PAGES:
        url, shown_on, depth = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = session.get(url, timeout=60)
        if response.status_code >= 400 and not refusal_page(response):
            problems.append((url, response.status_code, shown_on))
            continue
        if "html" not in response.headers.get("Content-Type", ""):
            continue
        text, links = read_page(response)
        for problem in (
            [f"error {word}" for word in ERROR_TEXT if word in text]
            + [f"msgid {shown}" for shown in sorted(set(MSGID.findall(text)))]
            + [f"two-digit year {found}" for found in sorted(set(TWO_DIGIT_YEAR.findall(text)))]
        ):
            problems.append((url, problem, shown_on))
        if depth < DEPTH and not any(part in url for part in NOT_DEEPER):
            for href in links:
                link = urljoin(response.url, href).split("#", 1)[0]
                if urlsplit(link).netloc == urlsplit(base).netloc and not NOT_FOLLOWED.search(link):
                    queue.append((link, url, depth + 1))
    return problems, len(seen)


@pytest.mark.parametrize("userid", PEOPLE)
def test_every_link_from_the_home_page_works(demo_site, userid):  # noqa: F811
    """Each person, from the home page: every link < 400 or our refusal page, no error text."""
    portal, _pki = demo_site
    problems, visited = crawl_from_home(portal.absolute_url(), userid)
    assert problems == [], "\n".join(map(str, problems))
    # The public sees the front, the list, its categories and matters at least.
    assert visited > 20
