"""Seed N open applications through `register_application` (zconsole run script).

N (default 10000) applications by the demo applicant `applicant1`, spread round-robin over
every published independent-approval matter of the demo list. Each one is created by the
normal code path (numbering, catalog, security index). Commits every BATCH (default 500)
and reports progress and the rate on stderr (`[bench]` lines); the last line of stdout holds
the totals and the rate of the first batch as key=value pairs for the driver.
"""

from AccessControl.SecurityManagement import newSecurityManager
from plone import api
from Testing.makerequest import makerequest
from zhangdian.approval.casework.registration import register_application
from zope.component.hooks import setSite

import os
import sys
import time
import transaction


SOCIAL_CREDIT_CODE = "91370303MA3C4K7L1U"


def independent_matter_codes():
    """Codes of the published matters decided by independent approval, in path order."""
    brains = api.content.find(
        portal_type="Matter", review_state="published", sort_on="path", unrestricted=True
    )
    matters = [brain._unrestrictedGetObject() for brain in brains]
    return [matter.code for matter in matters if matter.independent_approval]


def main(app):
    """Register N applications as applicant1, committing every BATCH."""
    total = int(os.environ.get("N", "10000"))
    batch = int(os.environ.get("BATCH", "500"))
    app = makerequest(app)
    newSecurityManager(None, app.acl_users.getUserById("admin").__of__(app.acl_users))
    site = app.Plone
    setSite(site)
    folder = site["applications"]
    codes = independent_matter_codes()
    print(f"[bench] seeding {total} applications over {len(codes)} matters", file=sys.stderr)
    started = time.perf_counter()
    batch_started = started
    first_rate = None
    committing = 0.0
    with api.env.adopt_user(username="applicant1"):
        for number in range(total):
            register_application(
                folder,
                matter=codes[number % len(codes)],
                applicant_kind="company",
                applicant_name=f"淄博基准测试商贸有限公司（第{number + 1}号）",
                applicant_identifier=SOCIAL_CREDIT_CODE,
                contact_person="张经理",
                contact_phone="0533-2180000",
            )
            done = number + 1
            if done % batch == 0 or done == total:
                before_commit = time.perf_counter()
                transaction.commit()
                now = time.perf_counter()
                committing += now - before_commit
                rate = (done % batch or batch) / (now - batch_started)
                if first_rate is None:
                    first_rate = rate
                print(
                    f"[bench]   {done:>6}/{total}  batch {rate:6.1f}/s  "
                    f"overall {done / (now - started):6.1f}/s  {now - started:7.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
                batch_started = now
    elapsed = time.perf_counter() - started
    print(f"[bench] seeded {total} applications in {elapsed:.1f} s", file=sys.stderr)
    print(
        f"seed_matters={len(codes)} seed_batch={batch} seed_seconds={elapsed:.1f} "
        f"seed_rate_first_batch={first_rate or 0:.1f} seed_rate={total / elapsed:.1f} "
        f"seed_commit_seconds={committing:.1f}"
    )


main(app)  # noqa: F821 - provided by zconsole run
