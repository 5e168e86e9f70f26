"""Recompute the audit journal's hash chain; name the first broken entry (exit 1 if any).

Run with: zconsole run instance/etc/zope.conf instance/scripts/audit_verify.py
Environment: SITE_ID (Plone), ANCHOR=1 to timestamp the verified head with the configured
timestamp authority afterwards (cron: verify and anchor once a day).
"""

from AccessControl.SecurityManagement import newSecurityManager
from Testing.makerequest import makerequest
from zhangdian.approval.audit.journal import anchor_head
from zhangdian.approval.audit.journal import tsa_timestamp
from zhangdian.approval.audit.journal import verify_journal
from zhangdian.approval.settings import signing_setting
from zope.component.hooks import setSite

import os
import sys
import time
import transaction


def main(app):
    """Verify, report, and anchor the head when asked and the chain is whole."""
    app = makerequest(app)
    site = app[os.environ.get("SITE_ID", "Plone")]
    newSecurityManager(None, app.acl_users.getUserById("admin").__of__(app.acl_users))
    setSite(site)
    started = time.perf_counter()
    check = verify_journal()
    seconds = time.perf_counter() - started
    if not check.ok:
        print(  # noqa: T201
            f"BROKEN at entry {check.broken_at} ({check.problem}); "
            f"{check.entries} entries read in {seconds:.1f} s"
        )
        return 1
    print(f"OK: {check.entries} entries, chain whole ({seconds:.1f} s)")  # noqa: T201
    if os.environ.get("ANCHOR") == "1":
        url = signing_setting("timestamp_url")
        anchor = anchor_head(tsa_timestamp(url) if url else None)
        transaction.commit()
        if anchor is not None:
            stamped = "timestamped" if anchor["token"] else "no TSA configured: not timestamped"
            print(f"anchored head {anchor['hash']} ({stamped})")  # noqa: T201
    return 0


sys.exit(main(app))  # noqa: F821 - provided by zconsole run
