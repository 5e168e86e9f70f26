"""The portal refuses to undo a transaction that wrote the audit log.

ZMI undo (Control_Panel/Database/main, a folder's Undo tab) and CMF's portal_undo all end in
`App.Undo.UndoSupport.manage_undo_transactions`, so the guard wraps that one method: it reads
the transactions' undo records, and every transaction that wrote the log carries the mark
`record`/the sequencer put in its extension (LOG_TRANSACTION). Decisions, authorisations and
their changes are journalled, so undoing them is refused too. Someone who calls ZODB's
`DB.undo` directly passes the guard; the heads kept outside the database then name it.
"""

from App.Undo import UndoSupport
from App.Undo import decode64
from zExceptions import Forbidden
from zhangdian.approval.audit.journal import LOG_TRANSACTION


_original = UndoSupport.manage_undo_transactions


def log_transactions(db, tids):
    """The ids of those transactions `tids` (raw) that wrote the log."""
    wanted = set(tids)
    found = db.undoLog(0, 2**31, lambda record: record["id"] in wanted)
    return [record["id"] for record in found if record.get(LOG_TRANSACTION)]


def manage_undo_transactions(self, transaction_info=(), REQUEST=None):
    """Undo, unless one of the transactions wrote the audit log."""
    tids = [decode64(info.split()[0]) for info in transaction_info if info.split()]
    if tids and log_transactions(self._p_jar.db(), tids):
        raise Forbidden(
            "This transaction wrote the audit log (a decision, an authorisation or the log "
            "itself): it cannot be undone. Correct it by a new, journalled action."
        )
    return _original(self, transaction_info, REQUEST)


manage_undo_transactions.__doc__ = _original.__doc__
UndoSupport.manage_undo_transactions = manage_undo_transactions
