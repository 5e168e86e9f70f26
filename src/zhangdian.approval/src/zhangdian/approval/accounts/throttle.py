"""The stored counts of failed logins, per login name and per client address.

The counts live in a BTree pair in the site's annotations, so that every Zope instance of a
RelStorage cluster sees the same counts. They are written only when a login fails, when a
login succeeds after failures, and on an unlock: an ordinary login writes nothing.

A failure is committed in a transaction of its own, on a connection of its own, because the
request that carried the wrong password usually ends in an error (an `Unauthorized` for basic
auth, plone.protect's abort of a GET that writes) and its transaction is aborted: the count
must survive that. A conflict (two failures at once, the journal's head) is retried.
"""

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from plone import api
from zhangdian.approval import _
from zhangdian.approval import logger
from zhangdian.approval.audit.journal import record
from zhangdian.approval.clock import now
from zhangdian.approval.errors import NothingFound
from zhangdian.approval.errors import Refused
from zhangdian.approval.rules.login import after_failure
from zhangdian.approval.rules.login import may_try_login
from ZODB.POSException import ConflictError
from zope.annotation.interfaces import IAnnotations
from zope.component.hooks import getSite
from zope.component.hooks import setSite
from zope.i18nmessageid import Message

import transaction


ATTEMPTS_KEY = "zhangdian.approval.login_attempts"
COMMIT_ATTEMPTS = 5
# A longer "login" is no account name; the key stays bounded whatever a client sends.
MAX_KEY = 200


# Pickled in the site's annotations: the class keeps this module path (or leaves an alias).
class LoginAttempts(Persistent):
    """Failed-login counts: login name → entry, client address → entry (plain dicts)."""

    def __init__(self):
        self.accounts = OOBTree()
        self.addresses = OOBTree()


class LoginRefused(Refused):
    """A login refused while its account or address is throttled or locked."""

    def __init__(self, verdict):
        """Refuse with the verdict's reason, status and wait."""
        self.verdict = verdict
        self.retry_after = verdict.retry_after
        super().__init__(verdict.message, code=f"login_{verdict.reason}", status=verdict.status)

    @property
    def headers(self):
        """Retry-After for a window; a lock has no end to announce."""
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


def _key(text):
    return str(text or "")[:MAX_KEY]


def login_attempts(site=None, create=False):
    """The site's `LoginAttempts` (None if none was ever counted and `create` is false)."""
    annotations = IAnnotations(site if site is not None else api.portal.get())
    if ATTEMPTS_KEY not in annotations and create:
        annotations[ATTEMPTS_KEY] = LoginAttempts()
    return annotations.get(ATTEMPTS_KEY)


def account_entry(login, site=None):
    """The stored counts of `login` (None when clean)."""
    attempts = login_attempts(site)
    entry = attempts.accounts.get(_key(login)) if attempts is not None else None
    return dict(entry) if entry else None


def address_entry(address, site=None):
    """The stored counts of a client `address` (None when clean)."""
    attempts = login_attempts(site)
    entry = attempts.addresses.get(_key(address)) if attempts is not None else None
    return dict(entry) if entry else None


def login_verdict(login, address, site=None, moment=None):
    """`may_try_login` on the stored counts of `login` and `address`."""
    return may_try_login(account_entry(login, site), address_entry(address, site), moment or now())


def in_own_transaction(site, write):
    """Run `write(site)` on a connection of its own and commit it, retried on conflicts."""
    database = site._p_jar.db()
    path = "/".join(site.getPhysicalPath())
    manager = transaction.TransactionManager()
    previous = getSite()
    try:
        for _attempt in range(COMMIT_ATTEMPTS):
            connection = database.open(transaction_manager=manager)
            try:
                manager.begin()
                # Reached from that connection's root, so that it has its acquisition chain.
                application = connection.root()["Application"]
                own_site = application.unrestrictedTraverse(path)
                # The journal finds the site through getSite(): this connection's copy.
                setSite(own_site)
                write(own_site)
                manager.commit()
                return True
            except ConflictError:
                continue
            finally:
                # Whatever happened, nothing of this connection may stay half-written.
                manager.abort()
                connection.close()
    finally:
        setSite(previous)
    logger.warning("A failed login could not be counted after %d conflicts", COMMIT_ATTEMPTS)
    return False


def count_failure(site, login, address, moment=None):
    """Count one failed login of `login` from `address`, journalled; lock at the limit."""
    moment = moment or now()

    def write(own_site):
        attempts = login_attempts(own_site, create=True)
        account, from_address = after_failure(
            account_entry(login, own_site), address_entry(address, own_site), moment
        )
        attempts.accounts[_key(login)] = account
        attempts.addresses[_key(address)] = from_address
        record(
            "login.failed",
            target=_key(login),
            after={
                "failures": account["failures"],
                "address": _key(address),
                "address_failures": from_address["failures"],
            },
            actor="anonymous",
            at=moment,
        )
        if account["locked_at"]:
            record(
                "login.locked",
                target=_key(login),
                after={"failures": account["failures"], "address": _key(address)},
                actor="anonymous",
                at=moment,
            )

    return in_own_transaction(site, write)


def count_success(site, login):
    """A login that succeeded: forget the failures of its name (nothing written if none)."""
    if account_entry(login, site) is None:
        return False

    def write(own_site):
        attempts = login_attempts(own_site)
        if attempts is not None and _key(login) in attempts.accounts:
            del attempts.accounts[_key(login)]

    return in_own_transaction(site, write)


def unlock(login, reason="", actor=None):
    """Let `login` be tried again (the working group's decision), journalled."""
    actor = actor or api.user.get_current().getId()
    before = account_entry(login)
    if before is None:
        raise NothingFound(
            Message(
                _(
                    "error_login_attempts_none",
                    default="No failed logins are counted for the account ${login}.",
                ),
                mapping={"login": _key(login)[:80]},
            )
        )
    if _key(login) == _key(actor) or _key(login) == _key(_login_of(actor)):
        raise Refused(
            _(
                "error_login_unlock_own",
                default="Nobody unlocks their own account: another member of the working "
                "group must do it.",
            ),
            code="login_unlock_own",
            status=403,
        )
    del login_attempts().accounts[_key(login)]
    record(
        "login.unlocked",
        target=_key(login),
        before=before,
        after={"reason": reason},
        actor=actor,
    )
    return before


def _login_of(userid):
    user = api.user.get(userid=userid) if userid else None
    return user.getUserName() if user is not None else None
