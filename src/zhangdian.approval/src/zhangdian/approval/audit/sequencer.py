"""Run the sequencer after a journalled transaction commits, in a transaction of its own.

The writer's commit is never held up by the tree: its after-commit hook opens a second
connection, integrates the pending entries, issues a head when one is due (audit/heads.py)
and commits; a conflict with another sequencer is retried on fresh state, so it is safe to
run twice or at once. A head is published outside the database only after its transaction
committed, so the heads file never holds a head the database lost by a failed commit.
`make audit-head` runs the same for cron, issuing a head on demand.
"""

from Testing.makerequest import makerequest
from ZODB.POSException import ConflictError
from zope.component.hooks import getSite
from zope.component.hooks import setSite
from zope.globalrequest import getRequest
from zope.globalrequest import setRequest

import logging
import transaction


logger = logging.getLogger(__name__)
ATTEMPTS = 5


def _signing_settings(site):
    """The signing settings the head needs, read from this connection's own registry.

    The thread's component lookup may still answer with the writer's registry.
    """
    from zhangdian.approval.settings import SIGNING_PREFIX

    registry = site.portal_registry
    return {
        name: registry.get(f"{SIGNING_PREFIX}.{name}")
        for name in ("pkcs11_module", "timestamp_url")
    }


def integrate(log, force_head=False, moment=None, settings=None):
    """Sequence pending entries and issue a head when due (or forced); return the new head."""
    from zhangdian.approval.audit import heads
    from zhangdian.approval.audit.journal import sequence

    sequence(log)
    if force_head or heads.head_due(log, moment):
        return heads.issue_head(log, moment, settings)
    return None


def run_sequencer(db, site_path, force_head=False):
    """Integrate and maybe issue a head in an own transaction; publish the head; return it."""
    from zhangdian.approval.audit import heads
    from zhangdian.approval.audit.journal import journal
    from zhangdian.approval.audit.journal import mark_log_transaction

    manager = transaction.TransactionManager()
    connection = db.open(transaction_manager=manager)
    previous, request = getSite(), getRequest()
    # Not part of the writer's request: its registry value cache would answer from before.
    setRequest(None)
    try:
        for attempt in range(ATTEMPTS):
            txn = manager.begin()
            # A pooled connection may hold state from before the writer's commit.
            connection.newTransaction(txn, False)
            try:
                # A request of its own: mail and tools acquire REQUEST from the application.
                app = makerequest(connection.root()["Application"])
                site = app.unrestrictedTraverse(site_path)
                setSite(site)
                head = integrate(journal(), force_head, settings=_signing_settings(site))
                txn.note("zhangdian.approval: log sequenced")
                mark_log_transaction(txn)
                manager.commit()
            except ConflictError:
                manager.abort()
                logger.info("sequencer conflict, attempt %s: retrying", attempt + 1)
                continue
            except Exception:
                manager.abort()
                raise
            if head is not None:
                heads.publish_head(head)
            return head
        logger.warning("sequencer gave up after %s conflicts; the next run integrates", ATTEMPTS)
        return None
    finally:
        setSite(previous)
        setRequest(request)
        connection.close()


def _after_commit(succeeded, connection, site_path):
    if not succeeded:
        return
    try:
        run_sequencer(connection.db(), site_path)
    except Exception:
        # The entries stay pending and the next commit or `make audit-head` integrates them.
        logger.exception("the log sequencer failed")
    else:
        # The writer's connection goes on (a script, a test) without a new transaction: let it
        # see the sequenced tree rather than write against the state before it.
        connection.newTransaction(None, False)


def sequence_after_commit():
    """Have this transaction, once committed, run the sequencer (once per transaction)."""
    txn = transaction.get()
    try:
        txn.data(_after_commit)
        return
    except KeyError:
        pass
    site = getSite()
    if site is None or site._p_jar is None:
        return
    txn.set_data(_after_commit, True)
    txn.addAfterCommitHook(_after_commit, args=(site._p_jar, "/".join(site.getPhysicalPath())))
