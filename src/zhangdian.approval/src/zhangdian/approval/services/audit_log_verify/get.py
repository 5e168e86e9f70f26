"""GET @audit-log-verify: recompute the log and compare every head, stored and kept outside."""

from plone.restapi.services import Service
from zhangdian.approval.audit.journal import verify_journal


class AuditLogVerifyGet(Service):
    """The first entry or head that does not hold, named by number and problem code."""

    def reply(self):
        check = verify_journal()
        return {
            "ok": check.ok,
            "entries": check.entries,
            "broken_at": check.broken_at,
            "head": check.head,
            "problem": check.problem,
        }
