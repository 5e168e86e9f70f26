"""The audit trail (终身负责): the hash-chained journal and the evidence bundles drawn from it."""

# Every site's annotations hold a pickled `zhangdian.approval.audit.Journal` (the class lived
# in the former module audit.py): this name must keep resolving, or no site can load it.
from zhangdian.approval.audit.journal import Journal


__all__ = ["Journal"]
