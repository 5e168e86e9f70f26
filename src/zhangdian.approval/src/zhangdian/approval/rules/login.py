"""The one place that answers: may this login name be tried from this address now?

A password guess costs the guesser nothing, so the portal makes repeated failures cost time.
Per login name: `ACCOUNT_FREE_FAILURES` consecutive failures are free, every further one opens
a refusal window of 2^(n - free) seconds (at most `MAX_WINDOW`), and at
`ACCOUNT_LOCK_FAILURES` the account is locked until the working group unlocks it; a
successful login clears the count. Per client address the same doubling starts after
`ADDRESS_FREE_FAILURES` failures, whichever names were tried (spraying many accounts), and is
never cleared by a success (the sprayer may own one account); the address is forgotten
`ADDRESS_MEMORY` after its last failure, so that an office behind one NAT address is not
punished for ever. While refused, even the right password is not checked.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from zhangdian.approval import _
from zope.i18nmessageid import Message

import math


ACCOUNT_FREE_FAILURES = 5
ACCOUNT_LOCK_FAILURES = 10
ADDRESS_FREE_FAILURES = 20
MAX_WINDOW = timedelta(minutes=15)
ADDRESS_MEMORY = timedelta(hours=1)

REASONS = {
    "allowed": _("login_allowed", default="The login may be tried."),
    "account_wait": _(
        "login_account_wait",
        default="Too many failed logins for this account: try again in ${seconds} seconds.",
    ),
    "account_locked": _(
        "login_account_locked",
        default="This account is locked after ${count} failed logins; even the right password "
        "is refused. Ask the working group (综合受理科) to unlock it.",
    ),
    "address_wait": _(
        "login_address_wait",
        default="Too many failed logins from your address: try again in ${seconds} seconds.",
    ),
}
STATUS = {"account_wait": 429, "address_wait": 429, "account_locked": 423}


@dataclass(frozen=True)
class LoginVerdict:
    """The answer of `may_try_login`: whether, why not, and for how many seconds more."""

    allowed: bool
    reason: str
    retry_after: int | None = None
    failures: int = 0
    mapping: dict = field(default_factory=dict, compare=False)

    @property
    def message(self) -> Message:
        """The translatable explanation of the verdict."""
        return Message(REASONS[self.reason], mapping=self.mapping)

    @property
    def status(self) -> int:
        """The HTTP status of a refusal: 429 for a window, 423 for a lock."""
        return STATUS.get(self.reason, 200)


def refusal_window(failures, free):
    """How long after its last failure a name or address with `failures` is refused."""
    if failures < free:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - free)), MAX_WINDOW)


def address_failures(entry, moment):
    """The failures an address still carries at `moment` (zero once forgotten)."""
    if not entry or moment - entry["last"] >= ADDRESS_MEMORY:
        return 0
    return entry["failures"]


def _wait(entry, failures, free, moment):
    """Whole seconds until the window of `entry` closes (0 when it is closed)."""
    if not failures:
        return 0
    remaining = entry["last"] + refusal_window(failures, free) - moment
    return max(0, math.ceil(remaining.total_seconds()))


def may_try_login(account, address, moment) -> LoginVerdict:
    """May a password be checked for a name with `account` counts from an `address` now?

    `account` and `address` are the stored entries ({"failures", "last", "locked_at"}) or None.
    """
    if account and account.get("locked_at"):
        count = account["failures"]
        return LoginVerdict(False, "account_locked", None, count, {"count": count})
    failures = account["failures"] if account else 0
    wait = _wait(account, failures, ACCOUNT_FREE_FAILURES, moment)
    if wait:
        return LoginVerdict(False, "account_wait", wait, failures, {"seconds": wait})
    from_address = address_failures(address, moment)
    wait = _wait(address, from_address, ADDRESS_FREE_FAILURES, moment)
    if wait:
        return LoginVerdict(False, "address_wait", wait, from_address, {"seconds": wait})
    return LoginVerdict(True, "allowed", None, failures)


def after_failure(account, address, moment):
    """The account and address entries once one more failure is counted at `moment`."""
    failures = (account["failures"] if account else 0) + 1
    locked_at = moment if failures >= ACCOUNT_LOCK_FAILURES else None
    return (
        {"failures": failures, "last": moment, "locked_at": locked_at},
        {"failures": address_failures(address, moment) + 1, "last": moment},
    )
