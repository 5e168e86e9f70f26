"""GET @audit-log-sth: the newest signed tree head of the audit log (public)."""

from plone.restapi.services import Service
from zhangdian.approval.audit.journal import journal


class AuditLogHeadGet(Service):
    """The head with its signature and timestamp token; `head` is null before the first."""

    def reply(self):
        return {
            "@id": f"{self.context.absolute_url()}/@audit-log-sth",
            "head": journal().latest_head(),
        }
