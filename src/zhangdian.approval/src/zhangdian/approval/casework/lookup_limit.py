"""Failed public lookups (number + query code) are limited per client address, on every route.

After `MAX_FAILURES` failed lookups from one address within `WINDOW`, that address is refused
with 429 and `Retry-After` until its oldest failure leaves the window; a successful lookup
does not count. The failures are kept in memory per process, on purpose: a lookup is an
anonymous GET, and writing a counter to the ZODB on every wrong guess would make guessing
cost the database a commit. Several instances each count their own and a restart forgets;
that only slows guessing, which is the point — the eight-character query code is what
protects an application.
"""

from collections import deque
from datetime import timedelta
from zhangdian.approval import _
from zhangdian.approval.casework.public import application_for_holder
from zhangdian.approval.casework.public import public_status
from zhangdian.approval.clock import now
from zhangdian.approval.errors import Refused
from zope.i18nmessageid import Message

import math
import threading


MAX_FAILURES = 10
WINDOW = timedelta(minutes=10)
# Past this many addresses every stale one is dropped, so that a scan cannot fill memory.
MAX_ADDRESSES = 10_000

_failures: dict[str, deque] = {}
_lock = threading.Lock()


class TooManyLookups(Refused):
    """An address made too many failed lookups: `retry_after` seconds until it may again."""

    code = "too_many_lookups"
    status = 429

    def __init__(self, retry_after):
        """Refuse for `retry_after` seconds."""
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            Message(
                _(
                    "error_status_too_many",
                    default="Too many lookups with a wrong number or query code from your "
                    "address; try again in ${minutes} minutes.",
                ),
                mapping={"minutes": minutes},
            )
        )

    @property
    def headers(self):
        """The HTTP headers of the refusal."""
        return {"Retry-After": str(self.retry_after)}


def client_address(request):
    """The address the limit counts for (Zope's, which honours its trusted proxies)."""
    return request.getClientAddr() or "unknown"


def _recent(address, moment):
    """The failures of `address` still inside the window (older ones dropped); lock held."""
    failures = _failures.get(address)
    if failures is None:
        return deque()
    while failures and failures[0] <= moment - WINDOW:
        failures.popleft()
    if not failures:
        del _failures[address]
    return failures


def check_lookup_allowed(address):
    """Raise `TooManyLookups` when `address` used up its failed lookups for now."""
    moment = now()
    with _lock:
        failures = _recent(address, moment)
        if len(failures) >= MAX_FAILURES:
            wait = failures[0] + WINDOW - moment
            raise TooManyLookups(max(1, math.ceil(wait.total_seconds())))


def count_failed_lookup(address):
    """Count one failed lookup from `address`."""
    moment = now()
    with _lock:
        if len(_failures) > MAX_ADDRESSES:
            for other in list(_failures):
                _recent(other, moment)
        _recent(address, moment)
        _failures.setdefault(address, deque()).append(moment)


def limited_lookup(request, lookup, number, query_code):
    """`lookup(number, query_code)` for the request's address, refused after too many failures.

    The one choke point of every public route that takes a number and a query code: the
    status page and @application-status, @@decision-document, @verify (GET). They share one
    count per address, so guessing on one route uses up the others too.
    """
    address = client_address(request)
    check_lookup_allowed(address)
    found = lookup(number, query_code)
    if found is None:
        count_failed_lookup(address)
    return found


def limited_status(request, number, query_code):
    """`public_status` for the request's address, refused after too many failures."""
    return limited_lookup(request, public_status, number, query_code)


def limited_holder(request, number, query_code):
    """`application_for_holder` for the request's address, refused after too many failures."""
    return limited_lookup(request, application_for_holder, number, query_code)


def forget_failed_lookups():
    """Forget every count (tests; the counts are per process anyway)."""
    with _lock:
        _failures.clear()
