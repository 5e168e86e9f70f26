"""GET @audit-journal: the chain's verification and a page of entries, newest first."""

from plone.restapi.services import Service
from zhangdian.approval import _
from zhangdian.approval.audit import journal
from zhangdian.approval.audit import verify_journal
from zhangdian.approval.services.errors import error

MAX_PAGE = 500


class AuditJournalGet(Service):
    """Query: b_start (0), b_size (50, at most 500), verify (1 to recompute the chain)."""

    def reply(self):
        form = self.request.form
        try:
            start = int(form.get("b_start", 0))
            size = int(form.get("b_size", 50))
        except (TypeError, ValueError):
            start = size = -1
        if start < 0 or not 0 < size <= MAX_PAGE:
            return error(
                self,
                400,
                "BadRequest",
                _(
                    "error_journal_batch",
                    default="b_start must be 0 or more and b_size between 1 and ${most}.",
                    mapping={"most": str(MAX_PAGE)},
                ),
            )
        log = journal()
        newest = log.length - start
        keys = range(newest, max(newest - size, 0), -1)
        answer = {
            "@id": f"{self.context.absolute_url()}/@audit-journal",
            "items_total": log.length,
            "head": log.head,
            "items": [dict(log.entries[key]) for key in keys if key in log.entries],
        }
        if form.get("verify") in ("1", "true"):
            check = verify_journal(log)
            answer["verification"] = {
                "ok": check.ok,
                "entries": check.entries,
                "broken_at": check.broken_at,
                "problem": check.problem,
            }
        return answer
