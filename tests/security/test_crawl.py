"""The crawl: as each demo role, with a decided year in the portal, open every page of ours and
every link those pages show; nothing may answer 500, show an untranslated message id or a
two-digit year."""

from html.parser import HTMLParser
from tests.helpers.approval import PASSWORD
from tests.security.test_permissions import APPLICATION
from tests.security.test_permissions import APPLICATION_FOLDER
from tests.security.test_permissions import AUTHORIZATION
from tests.security.test_permissions import CATEGORY
from tests.security.test_permissions import EXCEPTION_VIEWS
from tests.security.test_permissions import EXPECTED
from tests.security.test_permissions import MATTER
from tests.security.test_permissions import MATTER_LIST
from tests.security.test_permissions import PLONE_SITE
from tests.security.test_permissions import ROSTER
from tests.security.test_permissions import SITE
from tests.security.test_permissions import SPOT_CHECK
from urllib.parse import urljoin
from urllib.parse import urlsplit
from zhangdian.approval.casework.public import find_application

import re
import requests


# The demo accounts (DESIGN.md), None for anonymous; approver1 decided the year's cases.
ROLES = (None, "member", "approver1", "workgroup", "supervisor", "auditor", "siteadmin")
# GETs that change something or end the session are not followed.
NOT_FOLLOWED = re.compile(
    r"logout|content_status_modify|workflow_action|_authenticator|delete_confirmation"
    r"|object_cut|object_copy|object_paste|object_delete|object_rename|@@record-grade"
    r"|\+\+resource\+\+|\+\+plone\+\+|\+\+theme\+\+|\.(css|js|png|svg|ico|jpg|gif|woff2?)(\?|$)"
    r"|/portal_|/acl_users|manage_|/@@search|/sitemap|mail_password|/contact-info|/accessibility"
)
# A message id shown as text: what a missing translation with no default looks like.
MSGID = re.compile(
    r"\b(label|heading|help|button|action|error|msg|status|caption|title|description)_[a-z0-9_]+\b"
)

# A date whose year has two digits: 3/2/26, 26-03-02, 02.03.26.
TWO_DIGIT_YEAR = re.compile(
    r"(?<![\d/.-])(\d{1,2}/\d{1,2}/\d{2}|\d{2}-\d{2}-\d{2}|\d{2}\.\d{2}\.\d{2})(?![\d/.-])"
)


class TextOnly(HTMLParser):
    """The text a reader sees (no scripts, no styles) and the links of a page."""

    def __init__(self):
        super().__init__()
        self.text, self.links, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def read_page(response):
    """(the text a reader sees, the links) of an HTML answer."""
    page = TextOnly()
    page.feed(response.text)
    return " ".join(page.text), page.links


def pages_of_ours(portal, year, authorization):
    """Every GET view of the permission audit on a context with data, and the objects' pages."""
    base = portal.absolute_url()
    approved = find_application(year.approved[1])
    refused = find_application(year.refused)
    open_case = find_application(year.open_case)
    contexts = {
        SITE: [base],
        PLONE_SITE: [base],
        MATTER_LIST: [f"{base}/matters"],
        CATEGORY: [f"{base}/matters/jmss"],
        MATTER: [f"{base}/matters/jmss/xk-t-001"],
        ROSTER: [f"{base}/approvers"],
        AUTHORIZATION: [authorization.absolute_url()],
        APPLICATION: [case.absolute_url() for case in (approved, refused, open_case)],
        APPLICATION_FOLDER: [f"{base}/applications"],
        SPOT_CHECK: [year.spot_check.absolute_url()],
    }
    urls = [base, year.callback.absolute_url(), year.spot_check.absolute_url()]
    for entry in EXPECTED:
        if entry.for_ in EXCEPTION_VIEWS:
            continue  # rendered for a raised refusal, no URL leads to them
        if entry.kind == "view" and entry.method == "GET" and entry.name != "content_status_modify":
            urls += [f"{url}/@@{entry.name}" for url in contexts[entry.for_]]
    urls += [f"{base}/@@annual-assessment?year=2026", f"{base}/@@audit-journal?verify=1"]
    urls += [
        f"{base}/@@application-status?number={approved.number}&code={approved.query_code}",
        f"{base}/@@decision-document?number={approved.number}&code={approved.query_code}",
    ]
    return list(dict.fromkeys(urls))


def crawl(base, userid, start):
    """Open `start` and every link on those pages (one level); [(url, problem)]."""
    session = requests.Session()
    session.headers.update({"Accept": "text/html", "Accept-Language": "zh-CN"})
    if userid:
        session.auth = (userid, PASSWORD)
    problems, seen, queue = [], set(), [(url, None) for url in start]
    while queue:
        url, shown_on = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = session.get(url, timeout=60)
        if response.status_code >= 500:
            problems.append((url, response.status_code, shown_on))
            continue
        if "html" not in response.headers.get("Content-Type", ""):
            continue
        text, links = read_page(response)
        shown = MSGID.findall(text)
        if shown:
            problems.append((url, f"msgid {sorted(set(shown))}", shown_on))
        dates = TWO_DIGIT_YEAR.findall(text)
        if dates:
            problems.append((url, f"two-digit year {sorted(set(dates))}", shown_on))
        if shown_on is None:
            for href in links:
                link = urljoin(response.url, href).split("#", 1)[0]
                if urlsplit(link).netloc == urlsplit(base).netloc and not NOT_FOLLOWED.search(link):
                    queue.append((link, url))
    return problems, len(seen)


def test_no_page_or_link_of_ours_fails_for_any_role(
    functional_portal, functional_decided_year, functional_granted
):
    """Every role, every page and every link on it: no 500, no message id, no 26-03-02."""
    base = functional_portal.absolute_url()
    start = pages_of_ours(functional_portal, functional_decided_year, functional_granted)
    problems, visited = {}, 0
    for userid in ROLES:
        found, count = crawl(base, userid, start)
        visited += count
        if found:
            problems[userid] = found
    assert problems == {}
    assert visited > len(ROLES) * len(start)
