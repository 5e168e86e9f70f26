"""Refused attempts to change a kept record are journalled: who tried what, when, and the answer.

A kept record is a decided or withdrawn application (frozen by its workflow) or an oversight
record (spot check, call-back). A refused write — REST PATCH / DELETE / @copy / @move, a
Classic form, a ZMI manage_* call — ends in an exception (Unauthorized, our 409 refusal,
Zope's CopyError), and the publisher then aborts the request's transaction: a journal entry
written during the request would be rolled back with everything else. So:

* before the abort (`IPubBeforeAbort`) the facts are taken — the records the request named,
  the account that sent it, the route, the answer's status and reason — while the request's
  objects and security context still exist, and kept on the request;
* after the abort (`IPubFailure`) they are written in a transaction of their own, which holds
  the journal entries and nothing else: whatever the refused request changed is already gone.

What must not be lost: the entry itself (a concurrent journal append conflicts on the head,
so the write is retried), the refusal answer (already rendered; a failing journal write is
logged and never turns the refusal into a 500), and the record's state (the separate
transaction begins after the abort). A request the publisher will retry (ConflictError) is not
journalled: its retry gives the outcome. A refusal answered without an exception (plone.restapi
sets 403 on @copy/@move without Add permission on the target) commits normally, and is
journalled in that transaction, which changed nothing else, just before the commit.

Anonymous attempts are not journalled: anyone could otherwise make the portal write to the
database on every request (the journal is for what insiders do); they are refused all the same.
The account is the request's authenticated one; when the publisher refused before it set up
the security context (a permission missing at traversal), it is asked of the user folder.
"""

from AccessControl import getSecurityManager
from Acquisition import aq_parent
from plone import api
from plone.rest.traverse import RESTWrapper
from Products.CMFCore.interfaces import ISiteRoot
from zhangdian.approval.audit import journal
from zhangdian.approval.content.application import IApplication
from zhangdian.approval.rules.application import FINAL_STATES
from ZODB.POSException import ConflictError
from zope.component.hooks import getSite

import json
import logging
import transaction


logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PROPFIND"})
# Exception classes (by name, so that optional products need not be imported) that refuse.
REFUSALS = frozenset({"Unauthorized", "Forbidden", "CopyError", "RefusedChange"})
PENDING = "zhangdian.approval.refused_attempts"
# The form fields the ZMI's folder methods take ids in.
ID_FIELDS = ("ids", "id")
RETRIES = 3
APPLICATION_WORKFLOW = "application_workflow"


def kept_target(obj):
    """The journal's name for `obj` if it is a kept record (frozen application, oversight)."""
    from zhangdian.approval.rules.oversight import KeptRecord
    from zhangdian.approval.rules.oversight import record_target

    if IApplication.providedBy(obj):
        # The stored state, read without asking the (perhaps anonymous) security context.
        status = api.portal.get_tool("portal_workflow").getStatusOf(APPLICATION_WORKFLOW, obj)
        state = (status or {}).get("review_state")
        return obj.number if state in FINAL_STATES else None
    if isinstance(obj, KeptRecord):
        return record_target(obj)
    return None


def _is_refusal(error):
    """Whether `error` refuses a change for want of a right (not for bad input)."""
    if getattr(error, "status", None) == 403:
        return True  # one of our rules: not yours to do (e.g. a finding by the working group)
    return any(kind.__name__ in REFUSALS for kind in type(error).__mro__)


def _named_in_form(request, parents):
    """Records named by id in the form of a folder method (manage_delObjects, renames …)."""
    names = []
    for field in ID_FIELDS:
        value = request.form.get(field)
        names.extend(value if isinstance(value, list | tuple) else [value] if value else [])
    for folder in parents:
        getter = getattr(folder, "_getOb", None)
        if getter is None or ISiteRoot.providedBy(folder):
            continue
        for name in names:
            obj = getter(str(name), None) if isinstance(name, str) else None
            if obj is not None:
                yield obj
        break  # the innermost folder only: the one the method was called on


def _is_copy_or_move(request):
    """Whether the request is a REST @copy or @move."""
    return request.get("PATH_INFO", "").rstrip("/").endswith(("@copy", "@move"))


def _named_as_source(request, site):
    """Records named as `source` of a REST @copy / @move body."""
    if not _is_copy_or_move(request):
        return
    try:
        source = json.loads(request.get("BODY") or b"{}").get("source")
    except (ValueError, AttributeError):
        return
    root = site.absolute_url()
    for item in source if isinstance(source, list) else [source]:
        if not isinstance(item, str):
            continue
        if item.startswith(root):
            item = item[len(root) :]
        if item.startswith("/"):
            obj = site.unrestrictedTraverse(item.lstrip("/"), None)
        else:
            obj = api.content.get(UID=item)
        if obj is not None:
            yield obj


def targets_of(request, error=None):
    """The kept records the request tried to change, each named once, in the order found."""
    site = getSite()
    found = []
    if getattr(error, "target", None):
        found.append(error.target)
    # plone.rest wraps what a REST request traverses (RESTWrapper); the record is inside.
    parents = [
        p.context if isinstance(p, RESTWrapper) else p
        for p in request.get("PARENTS", ())
        if p is not None
    ]
    candidates = [*parents, *_named_in_form(request, parents), *_named_as_source(request, site)]
    for obj in candidates:
        target = kept_target(obj)
        if target and target not in found:
            found.append(target)
    return found


def actor_of(request, site):
    """The authenticated account that sent the request, or None for an anonymous one."""
    user = getSecurityManager().getUser()
    userid = user.getId() if user is not None else None
    if userid:
        return userid
    # The publisher refused before it made the user current (a permission missing at
    # traversal): ask the user folders, the site's and then Zope's, who sent it.
    for users in (getattr(site, "acl_users", None), getattr(aq_parent(site), "acl_users", None)):
        if hasattr(users, "_extractUserIds"):
            found = users._extractUserIds(request, users.plugins)
            if found:
                return found[0][0]
        elif hasattr(users, "identify") and request._auth:
            name, password = users.identify(request._auth)
            if name and users.authenticate(name, password, request) is not None:
                return name
    return None


def _facts(request, error):
    """What the journal keeps of a refused attempt, or None when it is not one."""
    if request.get("REQUEST_METHOD", "GET").upper() in SAFE_METHODS:
        return None
    site = getSite()
    if site is None or not ISiteRoot.providedBy(site):
        return None
    targets = targets_of(request, error)
    if not targets:
        return None
    actor = actor_of(request, site)
    if actor is None:
        return None
    status = request.response.getStatus()
    reason = getattr(error, "code", None) or type(error).__name__ if error else str(status)
    route = f"{request.get('REQUEST_METHOD')} {request.get('PATH_INFO', '')}"
    return {"actor": actor, "targets": targets, "route": route, "status": status, "reason": reason}


def _write(facts):
    """Journal one refused attempt per target."""
    for target in facts["targets"]:
        kind = "application" if not target.startswith(("SpotCheck ", "Callback ")) else "oversight"
        journal.record(
            f"{kind}.change_refused",
            target=target,
            after={"route": facts["route"], "status": facts["status"], "reason": facts["reason"]},
            actor=facts["actor"],
        )


def remember_refusal(event):
    """Before the abort: take the facts of a refused write while the request still has them."""
    if event.retry:
        return
    error = event.exc_info[1]

    if not _is_refusal(error):
        return
    try:
        facts = _facts(event.request, error)
    except ConflictError:
        raise
    except Exception:
        logger.exception("Could not take the facts of a refused attempt")
        return
    if facts:
        event.request.other[PENDING] = facts


def journal_refusal(event):
    """After the abort: journal the refused attempt in a transaction of its own (retried)."""
    facts = event.request.other.pop(PENDING, None)
    if not facts:
        return
    for attempt in range(1, RETRIES + 1):
        try:
            transaction.begin()
            _write(facts)
            transaction.commit()
            return
        except ConflictError:
            transaction.abort()
            if attempt == RETRIES:
                logger.error(
                    "Refused attempt not journalled after %d conflicts: %r", RETRIES, facts
                )
        except Exception:
            transaction.abort()
            logger.exception("Refused attempt not journalled: %r", facts)
            return


def journal_answered_refusal(event):
    """A refusal answered without an exception (status >= 400, @copy's "[]") commits: journal it."""
    request = event.request
    response = request.response
    # @copy / @move answer 200 with nothing done ([]) when the user may not reach the source.
    nothing_done = _is_copy_or_move(request) and (response.body or b"").strip() == b"[]"
    if response.getStatus() < 400 and not nothing_done:
        return
    facts = _facts(request, None)
    if facts:
        _write(facts)
