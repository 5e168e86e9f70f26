"""Failed logins are throttled per account and per address, on every login route."""

from datetime import timedelta
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from Products.PluggableAuthService.interfaces.plugins import IAuthenticationPlugin
from tests.helpers.approval import PASSWORD
from zhangdian.approval.accounts.plugin import PLUGIN_ID
from zhangdian.approval.accounts.throttle import account_entry
from zhangdian.approval.accounts.throttle import address_entry
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.rules import login as rule
from zhangdian.approval.rules.login import may_try_login

import pytest
import re
import requests
import transaction


WRONG = "wrong-password"
START = "2026-03-02 09:00:00 +0800"


@pytest.fixture
def site(functional_matter_list, functional_portal, clock):
    """The portal's URL with the test users, at a fixed moment."""
    clock(START)
    return functional_portal.absolute_url()


def moment(seconds):
    """`START` plus `seconds`, as the clock fixture takes it."""
    from datetime import datetime

    base = datetime.strptime(START, "%Y-%m-%d %H:%M:%S %z")
    return (base + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S.%f %z")


def rest_login(site, login, password, language="en"):
    """POST @login; the response."""
    return requests.post(
        f"{site}/@login",
        json={"login": login, "password": password},
        headers={"Accept": "application/json", "Accept-Language": language},
        timeout=30,
    )


def basic_auth_get(site, login, password):
    """GET @my-authorizations (logged-in users only) with basic auth; the status."""
    return requests.get(
        f"{site}/++api++/@my-authorizations",
        auth=(login, password),
        headers={"Accept": "application/json"},
        timeout=30,
    ).status_code


def form_login(site, login, password):
    """POST the Classic UI login form; the response."""
    return requests.post(
        f"{site}/login",
        data={"__ac_name": login, "__ac_password": password, "buttons.login": "Log in"},
        headers={"Accept-Language": "en"},
        allow_redirects=False,
        timeout=30,
    )


def entries(since, prefix="login."):
    """The journal's login entries after entry `since`."""
    transaction.begin()
    log = journal()
    found = [log.entries[seq] for seq in range(since + 1, log.length + 1)]
    return [entry for entry in found if entry["action"].startswith(prefix)]


def journal_length():
    """The journal's length as committed."""
    transaction.begin()
    return journal().length


class TestRule:
    """rules/login.may_try_login on stored entries (no Plone)."""

    def test_windows_double_after_five_and_lock_at_ten(self):
        """0 s up to 4 failures, then 1, 2, 4, 8, 16 s, and a lock at 10."""
        from datetime import datetime

        at = datetime(2026, 3, 2, 9, 0)
        waits = []
        for failures in range(1, 10):
            verdict = may_try_login({"failures": failures, "last": at, "locked_at": None}, None, at)
            waits.append(verdict.retry_after or 0)
        assert waits == [0, 0, 0, 0, 1, 2, 4, 8, 16]
        locked = may_try_login({"failures": 10, "last": at, "locked_at": at}, None, at)
        assert (locked.allowed, locked.reason, locked.status) == (False, "account_locked", 423)
        later = may_try_login(
            {"failures": 10, "last": at, "locked_at": at}, None, at + timedelta(days=365)
        )
        assert later.reason == "account_locked"

    def test_window_is_capped(self):
        """The address window stops growing at MAX_WINDOW."""
        from datetime import datetime

        at = datetime(2026, 3, 2, 9, 0)
        verdict = may_try_login(None, {"failures": 60, "last": at}, at)
        assert verdict.reason == "address_wait"
        assert verdict.retry_after == rule.MAX_WINDOW.total_seconds()

    def test_address_is_forgotten(self):
        """An hour after its last failure an address starts clean."""
        from datetime import datetime

        at = datetime(2026, 3, 2, 9, 0)
        entry = {"failures": 40, "last": at}
        assert may_try_login(None, entry, at + rule.ADDRESS_MEMORY).allowed


class TestInstalled:
    """The plugin is the site's first authentication plugin."""

    def test_first_authenticator(self, functional_portal):
        """Installed by the profile's post-install handler, activated first."""
        plugins = functional_portal.acl_users.plugins
        assert plugins.listPluginIds(IAuthenticationPlugin)[0] == PLUGIN_ID


class TestHundredWrongPasswords:
    """The issue's attack: 100 wrong passwords, then the right one."""

    def test_right_password_after_hundred_wrong_does_not_log_in(self, site):
        """5 failures are counted, the other 95 refused unchecked; the right one gets 429."""
        since = journal_length()
        answers = [rest_login(site, "member", WRONG).status_code for _ in range(100)]
        assert answers[:5] == [401] * 5
        assert set(answers[5:]) == {429}
        refused = rest_login(site, "member", PASSWORD)
        assert refused.status_code == 429, refused.text
        assert refused.json()["type"] == "login_account_wait"
        assert refused.headers["Retry-After"] == "1"
        assert "try again in 1 seconds" in refused.json()["message"]
        assert "token" not in refused.json()
        assert basic_auth_get(site, "member", PASSWORD) == 401
        counted = entries(since)
        assert [entry["action"] for entry in counted] == ["login.failed"] * 5
        assert [entry["after"]["failures"] for entry in counted] == [1, 2, 3, 4, 5]
        assert {entry["target"] for entry in counted} == {"member"}
        transaction.begin()
        assert account_entry("member")["failures"] == 5

    def test_after_the_window_the_right_password_logs_in(self, site, clock):
        """The window over, the right password logs in and clears the count."""
        for _ in range(5):
            rest_login(site, "member", WRONG)
        clock(moment(1.5))
        response = rest_login(site, "member", PASSWORD)
        assert response.status_code == 200, response.text
        assert response.json()["token"]
        transaction.begin()
        assert account_entry("member") is None

    def test_lock_after_ten_until_the_working_group_unlocks(self, site, clock):
        """Waiting out every window reaches 10 failures: locked, 423, until @login-unlock."""
        since = journal_length()
        elapsed = 0
        for failure in range(1, 11):
            assert rest_login(site, "member", WRONG).status_code == 401
            elapsed += 2 ** max(0, failure - 5) + 0.5
            clock(moment(elapsed))
        clock(moment(elapsed + 86400 * 30))
        refused = rest_login(site, "member", PASSWORD)
        assert refused.status_code == 423, refused.text
        assert refused.json()["type"] == "login_account_locked"
        assert "Retry-After" not in refused.headers
        assert "working group" in refused.json()["message"]
        assert basic_auth_get(site, "member", PASSWORD) == 401
        actions = [entry["action"] for entry in entries(since)]
        assert actions == ["login.failed"] * 10 + ["login.locked"]

        body = {"login": "member", "reason": "本人电话核实"}
        before = journal_length()
        for userid in ("supervisor", "auditor", "editor", "siteadmin"):
            status = requests.post(
                f"{site}/@login-unlock",
                json=body,
                auth=(userid, PASSWORD),
                headers={"Accept": "application/json"},
                timeout=30,
            ).status_code
            assert status == 401, userid
        assert journal_length() == before
        transaction.begin()
        assert account_entry("member")["locked_at"] is not None

        unlocked = requests.post(
            f"{site}/@login-unlock",
            json=body,
            auth=("workgroup", PASSWORD),
            headers={"Accept": "application/json"},
            timeout=30,
        )
        assert unlocked.status_code == 200, unlocked.text
        assert unlocked.json() == {"login": "member", "failures": 10, "was_locked": True}
        [entry] = entries(before)
        assert (entry["action"], entry["actor"], entry["target"]) == (
            "login.unlocked",
            "workgroup",
            "member",
        )
        assert entry["after"] == {"reason": "本人电话核实"}
        assert rest_login(site, "member", PASSWORD).status_code == 200

    def test_nobody_unlocks_their_own_account(self, site):
        """Locked out while still logged in elsewhere (a JWT): 403, the count stays."""
        token = rest_login(site, "workgroup", PASSWORD).json()["token"]
        for _ in range(5):
            rest_login(site, "workgroup", WRONG)
        before = journal_length()
        response = requests.post(
            f"{site}/@login-unlock",
            json={"login": "workgroup"},
            headers={
                "Accept": "application/json",
                "Accept-Language": "en",
                "Authorization": f"Bearer {token}",
            },
            timeout=30,
        )
        assert response.status_code == 403, response.text
        assert response.json()["type"] == "login_unlock_own"
        assert "Nobody unlocks their own account" in response.json()["message"]
        assert journal_length() == before
        transaction.begin()
        assert account_entry("workgroup")["failures"] == 5
        # Another person may: the Zope administrator, say.
        other = requests.post(
            f"{site}/@login-unlock",
            json={"login": "workgroup"},
            auth=(SITE_OWNER_NAME, SITE_OWNER_PASSWORD),
            headers={"Accept": "application/json"},
            timeout=30,
        )
        assert other.status_code == 200, other.text
        assert journal_length() == before + 1

    def test_unlock_of_a_clean_account_is_404(self, site):
        """Nothing counted: 404, nothing journalled."""
        before = journal_length()
        response = requests.post(
            f"{site}/@login-unlock",
            json={"login": "member"},
            auth=("workgroup", PASSWORD),
            headers={"Accept": "application/json", "Accept-Language": "en"},
            timeout=30,
        )
        assert response.status_code == 404
        assert "No failed logins" in response.json()["message"]
        assert journal_length() == before


class TestOtherRoutes:
    """Basic auth and the Classic UI form count and refuse alike."""

    def test_basic_auth_failures_count(self, site):
        """Wrong basic-auth passwords on a protected URL count, though the request fails."""
        for _ in range(5):
            assert basic_auth_get(site, "member", WRONG) == 401
        transaction.begin()
        assert account_entry("member")["failures"] == 5
        assert basic_auth_get(site, "member", PASSWORD) == 401
        assert rest_login(site, "member", PASSWORD).status_code == 429

    def test_login_form_says_why(self, site):
        """The form answers 429 with the translated reason instead of "Login failed"."""
        for _ in range(5):
            page = form_login(site, "member", WRONG)
            assert page.status_code == 200
            assert "Login failed" in page.text
        refused = form_login(site, "member", PASSWORD)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "1"
        assert "Too many failed logins for this account" in refused.text
        assert "Login failed" not in refused.text
        # No session cookie: Plone only expires one.
        assert not re.search(r"__ac=(?!deleted)", refused.headers.get("Set-Cookie", ""))

    def test_login_form_says_locked(self, site, clock):
        """Ten failures through the form, windows waited out: 423 and the working group named."""
        elapsed = 0
        for failure in range(1, 11):
            assert "Login failed" in form_login(site, "editor", WRONG).text
            elapsed += 2 ** max(0, failure - 5) + 0.5
            clock(moment(elapsed))
        refused = form_login(site, "editor", PASSWORD)
        assert refused.status_code == 423
        assert "This account is locked after 10 failed logins" in refused.text
        assert "Retry-After" not in refused.headers

    def test_refusal_in_chinese(self, site):
        """The REST refusal follows Accept-Language."""
        for _ in range(5):
            rest_login(site, "member", WRONG)
        refused = rest_login(site, "member", PASSWORD, language="zh-cn")
        assert refused.status_code == 429
        assert "登录" in refused.json()["message"]

    def test_right_password_writes_nothing(self, site):
        """An ordinary login stores nothing: no count, no journal entry."""
        before = journal_length()
        assert rest_login(site, "member", PASSWORD).status_code == 200
        assert basic_auth_get(site, "member", PASSWORD) == 200
        transaction.begin()
        assert account_entry("member") is None
        assert journal_length() == before

    def test_zope_administrator_is_not_counted(self, site):
        """The Zope root's admin is accepted by the user folder above the site: no failure."""
        for _ in range(12):
            status = requests.get(
                f"{site}/++api++/@my-authorizations",
                auth=(SITE_OWNER_NAME, SITE_OWNER_PASSWORD),
                headers={"Accept": "application/json"},
                timeout=30,
            ).status_code
            assert status != 401
        transaction.begin()
        assert account_entry(SITE_OWNER_NAME) is None


class TestConcurrentFailures:
    """Failures at the same moment conflict on the journal's head; each is retried, none lost."""

    def test_parallel_failures_are_all_counted(self, site):
        """Four clients, three failures each, at once: 12 counted, the journal's chain whole."""
        from concurrent.futures import ThreadPoolExecutor
        from zhangdian.approval.audit.journal import verify_journal

        since = journal_length()
        names = ["member", "editor", "auditor", "supervisor"]
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(
                pool.map(lambda name: rest_login(site, name, WRONG).status_code, names * 3)
            )
        assert statuses == [401] * 12
        assert len(entries(since)) == 12
        transaction.begin()
        assert [account_entry(name)["failures"] for name in names] == [3, 3, 3, 3]
        assert verify_journal().ok


class TestAddressLimit:
    """Spraying many accounts from one address is throttled too."""

    def test_spraying_accounts_from_one_address(self, site):
        """20 failures over four accounts, then every account from that address waits."""
        accounts = ["member", "editor", "auditor", "supervisor"]
        for name in accounts:
            for _ in range(4):
                assert rest_login(site, name, WRONG).status_code == 401
        for _ in range(4):
            assert rest_login(site, "siteadmin", WRONG).status_code == 401
        transaction.begin()
        assert address_entry("127.0.0.1")["failures"] == 20
        refused = rest_login(site, "workgroup", PASSWORD)
        assert refused.status_code == 429, refused.text
        assert refused.json()["type"] == "login_address_wait"
        assert refused.headers["Retry-After"] == "1"
