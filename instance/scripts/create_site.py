"""Create the Plone site with zhangdian.approval (and its demo data) unless it exists.

Run with: zconsole run instance/etc/zope.conf instance/scripts/create_site.py
Environment: SITE_ID (Plone), DEMO (1 = install the demo profile), DELETE_EXISTING (1),
ADMIN_PASSWORD (for the Zope root user `admin` when the database has none yet; without DEMO=1
it must be given, there is no default password), MAIL_PORT
(8025: with DEMO=1, the port of the demo mail sink on 127.0.0.1, unless the bureau has
configured its own mail server).
"""

from AccessControl.SecurityManagement import newSecurityManager
from Products.CMFPlone.factory import addPloneSite
from Testing.makerequest import makerequest
from zhangdian.approval.setuphandlers.demo import DEMO_MAIL_PORT
from zhangdian.approval.setuphandlers.demo import configure_demo_mail
from zope.component.hooks import setSite

import os
import socket
import sys
import transaction


SITE_ID = os.environ.get("SITE_ID", "Plone")
DEMO = os.environ.get("DEMO", "1") == "1"
DELETE_EXISTING = os.environ.get("DELETE_EXISTING", "0") == "1"
# `admin`/`admin` is the demo's; a real bureau's Zope root gets the password it chose or none.
ADMIN_PASSWORD = os.environ.get("ADMIN_PASSWORD") or ("admin" if DEMO else None)
ADMIN_REFUSAL = (
    "DEMO=0: no password for the Zope root user 'admin' was given and none is made up. "
    "Run again with ADMIN_PASSWORD=<a strong password> (e.g. DEMO=0 ADMIN_PASSWORD=… make start)."
)
MAIL_PORT = int(os.environ.get("MAIL_PORT", DEMO_MAIL_PORT))
EXTENSIONS = [
    "plone.app.contenttypes:default",
    "plonetheme.barceloneta:default",
    "zhangdian.approval:default",
]


def sink_answers(port):
    """Whether the demo mail sink listens on 127.0.0.1:`port` (make start runs it)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def configure_mail_if_sink_runs():
    """Point the portal at the demo sink, when it runs; else leave mail as it is.

    Run without `make start` (the storage tests, bin/instance run), there is no sink, and a
    MailHost pointed at a closed port would fail the commit of the demo's first acceptance.
    """
    if sink_answers(MAIL_PORT):
        configure_demo_mail(MAIL_PORT, report=print)
    else:
        print(f"No mail sink on 127.0.0.1:{MAIL_PORT}: mail settings left as they are.")  # noqa: T201


def main(app):
    """Create the site once; a second run leaves an existing site untouched."""
    app = makerequest(app)
    # Zope reads instance/inituser only into an empty database; a new Data.fs needs it again.
    if app.acl_users.getUserById("admin") is None:
        if ADMIN_PASSWORD is None:
            print(ADMIN_REFUSAL, file=sys.stderr)  # noqa: T201
            sys.exit(2)
        app.acl_users._doAddUser("admin", ADMIN_PASSWORD, ["Manager"], [])
        transaction.commit()
    admin = app.acl_users.getUserById("admin")
    newSecurityManager(None, admin.__of__(app.acl_users))
    if SITE_ID in app.objectIds():
        if not DELETE_EXISTING:
            site = app[SITE_ID]
            setSite(site)
            # A database from an older release: run the add-on's pending upgrade steps.
            site.portal_setup.upgradeProfile("zhangdian.approval:default")
            if DEMO:
                configure_mail_if_sink_runs()
            transaction.commit()
            print(f"Site {SITE_ID!r} exists; reusing its database (upgraded).")  # noqa: T201
            return
        app.manage_delObjects([SITE_ID])
        transaction.commit()
    site = addPloneSite(
        app,
        SITE_ID,
        title="张店区独立审批服务平台",
        description="淄博市张店区行政审批服务局：独立审批事项清单与办件服务",
        setup_content=False,
        default_language="zh-cn",
        portal_timezone="Asia/Shanghai",
        extension_ids=EXTENSIONS,
    )
    setSite(site)
    if DEMO:
        # Before the demo data: accepting its applications mails the applicant.
        configure_mail_if_sink_runs()
        site.portal_setup.runAllImportStepsFromProfile("profile-zhangdian.approval:demo")
    transaction.commit()
    print(f"Created site {SITE_ID!r} (demo data: {DEMO}).")  # noqa: T201


main(app)  # noqa: F821 - `app` is provided by zconsole run
sys.exit(0)
