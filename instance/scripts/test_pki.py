"""Test PKI for development and demos: CA, SoftHSM2 tokens for the approvers, certificates bound.

Run with: zconsole run instance/etc/zope.conf instance/scripts/test_pki.py
Environment: SITE_ID (Plone), PKI_DIR (instance/var/pki), APPROVERS (approver1 approver2).
Safe to run again: settings and bindings the bureau changed since are kept (one line says
so). The tokens' PIN is 123456. Export SOFTHSM2_CONF=$PKI_DIR/softhsm/softhsm2.conf for the
portal and for zhangdian-signer so that they find the tokens.
"""

from AccessControl.SecurityManagement import newSecurityManager
from pathlib import Path
from Testing.makerequest import makerequest
from zhangdian.approval.audit.sequencer import run_sequencer
from zhangdian.approval.setuphandlers.demo_casework import create_demo_decisions
from zhangdian.approval.testing.demo_pki import DEMO_PIN
from zhangdian.approval.testing.demo_pki import enrol_test_tokens
from zope.component.hooks import setSite

import os
import transaction


def main(app):
    """Enrol the approvers, decide the demo cases with their tokens, and commit."""
    app = makerequest(app)
    site = app[os.environ.get("SITE_ID", "Plone")]
    newSecurityManager(None, app.acl_users.getUserById("admin").__of__(app.acl_users))
    setSite(site)
    directory = Path(os.environ.get("PKI_DIR", "instance/var/pki"))
    userids = os.environ.get("APPROVERS", "approver1 approver2").split()
    enrolled = enrol_test_tokens(directory, userids, report=print)
    transaction.commit()
    # The demo's decided cases need the tokens just enrolled; made once, on a demo site only.
    create_demo_decisions(DEMO_PIN, report=print)
    transaction.commit()
    # The demo's first signed tree head, so the public heads page and @audit-log-sth show one.
    head = run_sequencer(app._p_jar.db(), "/".join(site.getPhysicalPath()), force_head=True)
    if head is not None:
        print(f"log head: {head['tree_size']} entries, root {head['root_hash']}")  # noqa: T201
    for userid, cert in enrolled.items():
        print(f"{userid}: token {userid!r}, PIN {DEMO_PIN}, {cert.subject.rfc4514_string()}")  # noqa: T201


main(app)  # noqa: F821 - provided by zconsole run
