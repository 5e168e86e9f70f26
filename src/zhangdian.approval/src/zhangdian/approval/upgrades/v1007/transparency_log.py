"""Upgrade 1006 → 1007: the journal's entries become the leaves of the transparency log."""

from zhangdian.approval.audit.journal import journal
from zhangdian.approval.audit.journal import migrate

import logging


logger = logging.getLogger(__name__)


def migrate_journal(setup):
    """Move the hash chain's entries into the tree in order, reporting every 10,000."""
    migrate(journal(), report=logger.info)
