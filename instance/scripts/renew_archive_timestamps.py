"""Renew decisions' archive timestamps due within MARGIN_DAYS (default 90) days (cron-safe).

Run with: zconsole run instance/etc/zope.conf instance/scripts/renew_archive_timestamps.py
"""

from AccessControl.SecurityManagement import newSecurityManager
from datetime import timedelta
from Testing.makerequest import makerequest
from zhangdian.approval.signing.archive_job import renew_due_archive_timestamps
from zope.component.hooks import setSite

import os
import transaction


def main(app):
    """Renew what is due on the site and commit once."""
    app = makerequest(app)
    site = app[os.environ.get("SITE_ID", "Plone")]
    newSecurityManager(None, app.acl_users.getUserById("admin").__of__(app.acl_users))
    setSite(site)
    margin = timedelta(days=int(os.environ.get("MARGIN_DAYS") or 90))
    renewed = renew_due_archive_timestamps(margin)
    transaction.commit()
    print(f"archive timestamps renewed: {len(renewed)}")  # noqa: T201


main(app)  # noqa: F821 - provided by zconsole run
