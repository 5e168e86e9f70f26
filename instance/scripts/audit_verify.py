"""Recompute the audit log and compare it with the heads kept outside the database (exit 1 if not).

Run with: zconsole run instance/etc/zope.conf instance/scripts/audit_verify.py
Environment: SITE_ID (Plone); the log key and heads directory as for the portal
(ZHANGDIAN_LOG_TOKEN, ZHANGDIAN_LOG_PIN, ZHANGDIAN_LOG_HEADS_DIR or zope.conf product-config).
HEAD=1 (`make audit-head`, cron-safe): integrate pending entries and issue a head now.
"""

from AccessControl.SecurityManagement import newSecurityManager
from Testing.makerequest import makerequest
from zhangdian.approval.audit.journal import verify_journal
from zhangdian.approval.audit.sequencer import run_sequencer
from zope.component.hooks import setSite

import os
import sys
import time


def main(app):
    """Issue a head when asked, then verify and report; exit 1 naming what does not hold."""
    app = makerequest(app)
    site = app[os.environ.get("SITE_ID", "Plone")]
    newSecurityManager(None, app.acl_users.getUserById("admin").__of__(app.acl_users))
    if os.environ.get("HEAD") == "1":
        head = run_sequencer(app._p_jar.db(), "/".join(site.getPhysicalPath()), force_head=True)
        if head is None:
            print("no head issued: no entries, or no log key configured")  # noqa: T201
        else:
            stamped = "timestamped" if head["timestamp_token"] else "not timestamped (no TSA)"
            print(f"head issued: {head['tree_size']} entries, root {head['root_hash']}, {stamped}")  # noqa: T201
        app._p_jar.sync()
    setSite(site)
    started = time.perf_counter()
    check = verify_journal()
    seconds = time.perf_counter() - started
    if not check.ok:
        where = f"head of size {check.head}" if check.head else f"entry {check.broken_at}"
        print(  # noqa: T201
            f"BROKEN at {where} ({check.problem}); {check.entries} entries read in {seconds:.1f} s"
        )
        return 1
    print(f"OK: {check.entries} entries, every head holds ({seconds:.1f} s)")  # noqa: T201
    return 0


sys.exit(main(app))  # noqa: F821 - provided by zconsole run
