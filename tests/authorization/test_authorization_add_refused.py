"""Opening an add form of a type one may not add answers the 403 refusal page, never a 500."""

from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from tests.authorization.test_authorization_form import add_form_url
from tests.authorization.test_authorization_form import session_of
from tests.authorization.test_authorization_form import site  # noqa: F401 - a fixture
from tests.desks.test_desks import browser
from tests.reliability.bad_input import fingerprint

import pytest
import re
import requests


def session(userid):
    """The HTTP session of `userid`: None anonymous, "manager" the site's Zope Manager."""
    if userid == "manager":
        manager = requests.Session()
        manager.auth = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        manager.headers["Accept-Language"] = "en"
        return manager
    if userid is None:
        return requests.Session()
    return session_of(userid)


@pytest.mark.parametrize("userid", ["workgroup", "manager"])
def test_working_group_and_manager_get_the_form(site, userid):  # noqa: F811
    """Who grants authorisations opens the form."""
    page = session(userid).get(add_form_url(site), timeout=60)
    assert page.status_code == 200
    assert "form.widgets.approver" in page.text


def test_supervisor_gets_the_refusal_page(site):  # noqa: F811
    """The supervisor (who may add oversight records) gets 403 with the reason, no 500."""
    before = fingerprint(site)["objects"]
    page = browser("supervisor", language="en").get(add_form_url(site), timeout=60)
    assert page.status_code == 403, page.text[:500]
    assert "data-type='type_not_addable'" in page.text
    assert "You may not add a" in page.text
    assert "Traceback" not in page.text and "ValueError" not in page.text
    assert fingerprint(site)["objects"] == before


def test_refusal_in_chinese(site):  # noqa: F811
    """The same page in the reader's language (zh_CN: translated from the merged catalogue)."""
    page = browser("supervisor").get(add_form_url(site), timeout=60)
    assert page.status_code == 403
    assert "data-type='type_not_addable'" in page.text
    assert re.search(r"<h1>[^<]*[\u4e00-\u9fff]", page.text), page.text[:300]


@pytest.mark.parametrize(
    ("userid", "lands_on"),
    [
        ("auditor", "insufficient-privileges"),
        ("siteadmin", "insufficient-privileges"),
        ("approver2", "insufficient-privileges"),
        ("member", "insufficient-privileges"),
        (None, "login?came_from="),
    ],
)
def test_without_add_permission_plone_refuses(site, userid, lands_on):  # noqa: F811
    """No "Add portal content" at all: Plone's own refusal page (or the login), no form."""
    page = browser(userid).get(add_form_url(site), timeout=60)
    assert page.status_code == 200
    assert lands_on in page.url
    assert "form.widgets.approver" not in page.text


@pytest.mark.parametrize(
    ("userid", "path", "type_name", "lands_on"),
    [
        ("supervisor", "matters", "MatterCategory", "insufficient-privileges"),
        ("auditor", "matters/jmss", "Matter", "insufficient-privileges"),
        ("workgroup", "matters/jmss", "Matter", "++add++Matter"),
    ],
)
def test_other_types_never_500(site, userid, path, type_name, lands_on):  # noqa: F811
    """The matter list's add forms: the form for the working group, a refusal for others."""
    url = f"{site.absolute_url()}/{path}/++add++{type_name}"
    page = browser(userid, language="en").get(url, timeout=60)
    assert page.status_code == 200
    assert lands_on in page.url
    assert ("form.buttons.save" in page.text) == (userid == "workgroup")
