"""The audit trail (终身负责): the hash-chained journal and the evidence bundles drawn from it."""

# Every site's annotations hold a pickled `zhangdian.approval.audit.Journal` (the class lived
# in the former module audit.py): this name must keep resolving, or no site can load it.
# Importing the guard installs it: ZMI and portal_undo refuse to undo the log's transactions.
from zhangdian.approval.audit import undo_guard  # noqa: F401
from zhangdian.approval.audit.journal import Journal


__all__ = ["Journal"]
