"""Expire authorisations whose period is over and send the 30/7-day reminders (cron-safe).

Run with: zconsole run instance/etc/zope.conf instance/scripts/expire_authorizations.py
"""

from AccessControl.SecurityManagement import newSecurityManager
from Testing.makerequest import makerequest
from zhangdian.approval.roster.lifecycle import expire_due
from zhangdian.approval.roster.reminders import send_reminders
from zope.component.hooks import setSite

import os
import transaction


def main(app):
    """Run both jobs on the site and commit once."""
    app = makerequest(app)
    site = app[os.environ.get("SITE_ID", "Plone")]
    newSecurityManager(None, app.acl_users.getUserById("admin").__of__(app.acl_users))
    setSite(site)
    expired = expire_due()
    reminded = send_reminders()
    transaction.commit()
    print(f"expired: {len(expired)}, reminders sent: {len(reminded)}")  # noqa: T201


main(app)  # noqa: F821 - provided by zconsole run
