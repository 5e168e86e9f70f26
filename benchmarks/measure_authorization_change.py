"""Time changing one approver authorisation against N open applications (zconsole script).

Runs as the Zope `admin` on a site seeded by seed_applications.py. Each operation is timed
with its `transaction.commit()`; repeatable ones ROUNDS times (default 5, suspend and
reinstate in pairs), and the median is reported. "Applications reindexed" counts the
distinct applications the catalog re-catalogued during the operation (counted at
`CatalogTool.catalog_object`, i.e. after the indexing queue merged its work). Prints a
markdown table on stdout; asserts nothing about speed.
"""

from AccessControl.SecurityManagement import getSecurityManager
from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SecurityManagement import setSecurityManager
from Acquisition import aq_base
from plone import api
from Testing.makerequest import makerequest
from zhangdian.approval.casework.queue import applications_for_queue
from zhangdian.approval.casework.security import forget_cached_verdicts
from zhangdian.approval.casework.security import matter_codes_in_scope
from zhangdian.approval.casework.security import open_applications_for
from zhangdian.approval.content.application import Application
from zhangdian.approval.roster.lifecycle import expire_due
from zhangdian.approval.rules.application import OPEN_STATES
from zhangdian.approval.rules.authorization import authorizations_of
from zope.component.hooks import setSite
from zope.event import notify
from zope.globalrequest import setRequest
from zope.lifecycleevent import ObjectModifiedEvent

import os
import statistics
import sys
import time
import transaction


ROUNDS = int(os.environ.get("ROUNDS", "5"))
NAIVE_ROUNDS = int(os.environ.get("NAIVE_ROUNDS", str(ROUNDS)))
SECOND_CATEGORY = "社会事务"


class Recatalogued:
    """Counts what happens to applications during one operation (patched in for the run).

    `uids`: the distinct applications the catalog wrote (its `catalog_object`, after the
    indexing queue merged the work); `calls`: calls of `reindexObjectSecurity` on them.
    """

    def __init__(self, catalog_class, application_class):
        self.uids = set()
        self.calls = 0
        counter = self
        catalog_object = catalog_class.catalog_object
        reindex_security = application_class.reindexObjectSecurity

        def counting_catalog_object(self, obj, uid=None, *args, **kwargs):
            if getattr(obj, "portal_type", None) == "Application":
                counter.uids.add(uid or "/".join(obj.getPhysicalPath()))
            return catalog_object(self, obj, uid, *args, **kwargs)

        def counting_reindex_security(self, *args, **kwargs):
            counter.calls += 1
            return reindex_security(self, *args, **kwargs)

        catalog_class.catalog_object = counting_catalog_object
        application_class.reindexObjectSecurity = counting_reindex_security

    def reset(self):
        """Start counting afresh; return (applications catalogued, security reindex calls)."""
        counts = len(self.uids), self.calls
        self.uids = set()
        self.calls = 0
        return counts


def log(message):
    """Progress on stderr, so that stdout holds only the table."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class Bench:
    """The operations, their samples (ms) and the applications each one re-catalogued."""

    def __init__(self, site):
        self.site = site
        self.samples = {}
        self.reindexed = {}
        self.counter = Recatalogued(
            type(aq_base(api.portal.get_tool("portal_catalog"))), Application
        )
        self.calls = {}
        self.workflow = api.portal.get_tool("portal_workflow")

    def run(self, name, operation):
        """Run and commit one operation; record its wall time and re-catalogued count."""
        forget_cached_verdicts()  # each change is a request of its own
        self.counter.reset()
        start = time.perf_counter()
        operation()
        transaction.commit()
        elapsed = (time.perf_counter() - start) * 1000
        self.samples.setdefault(name, []).append(elapsed)
        catalogued, calls = self.counter.reset()
        self.reindexed.setdefault(name, set()).add(catalogued)
        self.calls.setdefault(name, set()).add(calls)
        log(f"  {name}: {elapsed:,.1f} ms")

    def transition(self, obj, name, comment="基准测试"):
        """A workflow transition as the admin."""
        return lambda: self.workflow.doActionFor(obj, name, comment=comment)

    def median(self, name):
        """Median wall time (ms) of an operation."""
        return statistics.median(self.samples[name])


def set_scope(authorization, categories):
    """Change the scope the way the edit form does: set the field, then notify."""

    def operation():
        authorization.scope_categories = list(categories)
        notify(ObjectModifiedEvent(authorization))

    return operation


def naive_reindex(site):
    """What a naive implementation would do: reindex the security of every application."""

    def operation():
        forget_cached_verdicts()
        brains = api.content.find(portal_type="Application", unrestricted=True)
        for brain in brains:
            brain._unrestrictedGetObject().reindexObjectSecurity()

    return operation


def as_user(site, userid, function):
    """Call `function` logged in as `userid` (a user of the site's acl_users)."""
    previous = getSecurityManager()
    user = site.acl_users.getUserById(userid)
    newSecurityManager(None, user.__of__(site.acl_users))
    try:
        return function()
    finally:
        setSecurityManager(previous)


def visible_open(userid):
    """Open applications whose catalog security names the user."""
    return len(
        api.content.find(
            portal_type="Application",
            review_state=OPEN_STATES,
            allowedRolesAndUsers=f"user:{userid}",
            unrestricted=True,
        )
    )


def main(app):
    """Seeded site in, markdown table out."""
    app = makerequest(app)
    setRequest(app.REQUEST)
    newSecurityManager(None, app.acl_users.getUserById("admin").__of__(app.acl_users))
    site = app.Plone
    setSite(site)
    bench = Bench(site)
    categories = {c.Title(): c.getId() for c in site["matters"].objectValues()}
    authorization = authorizations_of("approver1")[0]
    own_scope = list(authorization.scope_categories)
    wider_scope = [*own_scope, categories[SECOND_CATEGORY]]
    total = len(api.content.find(portal_type="Application", unrestricted=True))
    open_total = len(
        api.content.find(portal_type="Application", review_state=OPEN_STATES, unrestricted=True)
    )
    in_scope = len(open_applications_for(matter_codes_in_scope(authorization)))
    second = len(open_applications_for(matter_codes_in_scope(authorizations_of("approver2")[0])))
    log(
        f"{total} applications ({open_total} open); approver1 ({authorization.getId()}, "
        f"{api.content.get_state(authorization)}) covers {in_scope}, {SECOND_CATEGORY} {second}"
    )

    document = api.content.create(
        container=site,
        type="Document",
        id="benchmark-document",
        title="基准测试文档",
        safe_id=True,
    )
    transaction.commit()
    chain = bench.workflow.getChainFor(document)

    log("bare transition on a Document")
    for _ in range(ROUNDS):
        bench.run("bare: publish Document", bench.transition(document, "publish"))
        bench.run("bare: retract Document", bench.transition(document, "retract"))

    log("suspend / reinstate approver1")
    seen_active = visible_open("approver1")
    for round_ in range(ROUNDS):
        bench.run("suspend approver1", bench.transition(authorization, "suspend"))
        if round_ == 0:
            seen_suspended = visible_open("approver1")
        bench.run("reinstate approver1", bench.transition(authorization, "reinstate"))

    log(f"scope change: + {SECOND_CATEGORY} / - {SECOND_CATEGORY}")
    for round_ in range(ROUNDS):
        bench.run(f"scope: add {SECOND_CATEGORY}", set_scope(authorization, wider_scope))
        if round_ == 0:
            seen_wider = visible_open("approver1")
        bench.run(f"scope: remove {SECOND_CATEGORY}", set_scope(authorization, own_scope))
    seen_after = visible_open("approver1")

    log("expire_due() with nothing due")
    expired = []
    for _ in range(ROUNDS):
        bench.run("expire_due(), nothing due", lambda: expired.extend(expire_due()))

    log("queue query as approver1")
    found = []
    queue = []
    for _ in range(ROUNDS):
        bench.run(
            "find(portal_type=Application) as approver1",
            lambda: found.append(
                len(as_user(site, "approver1", lambda: api.content.find(portal_type="Application")))
            ),
        )
    for _ in range(ROUNDS):
        bench.run(
            'applications_for_queue("approver1")',
            lambda: queue.append(len(applications_for_queue("approver1"))),
        )

    log(f"naive: reindexObjectSecurity of all {total} applications")
    for _ in range(NAIVE_ROUNDS):
        bench.run(f"naive: reindexObjectSecurity × {total}", naive_reindex(site))

    bare = statistics.median(
        bench.samples["bare: publish Document"] + bench.samples["bare: retract Document"]
    )
    naive = bench.median(f"naive: reindexObjectSecurity × {total}")
    print(
        f"{total:,} applications ({open_total:,} open) over the published independent-approval "
        f"matters; approver1 covers {in_scope:,} open ones, {SECOND_CATEGORY} {second:,}. "
        f"Median of {ROUNDS} runs (naive: {NAIVE_ROUNDS}), each with its commit. "
        f"Bare transition = median of publish and retract ({bare:.1f} ms, chain {chain}).\n"
    )
    print(
        "| operation | applications reindexed | median ms | ratio vs bare transition "
        "| ratio vs naive reindex |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, samples in bench.samples.items():
        median = statistics.median(samples)
        counts = "/".join(f"{count:,}" for count in sorted(bench.reindexed[name]))
        print(
            f"| {name} | {counts} | {median:,.1f} | {median / bare:,.1f}× | {median / naive:.3f}× |"
        )
    print(
        f"\nApplications approver1 finds in the catalog (open, allowedRolesAndUsers): "
        f"active {seen_active:,}, suspended {seen_suspended:,}, with {SECOND_CATEGORY} "
        f"{seen_wider:,}, after the scope is narrowed again {seen_after:,}. "
        f"find() as approver1 returned {sorted(set(found))}, applications_for_queue "
        f"{sorted(set(queue))}; expire_due() expired {len(expired)}."
    )
    print("\nAll samples (ms) [reindexObjectSecurity calls on applications]:")
    for name, samples in bench.samples.items():
        calls = "/".join(f"{count:,}" for count in sorted(bench.calls[name]))
        print(f"  {name}: {', '.join(f'{s:,.1f}' for s in samples)} [{calls}]")


main(app)  # noqa: F821 - provided by zconsole run
