"""GET @audit-journal: a page of entries, newest first, and the log's verification."""

from plone.restapi.services import Service
from zhangdian.approval import _
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.audit.journal import verify_journal
from zhangdian.approval.body import int_param


MAX_PAGE = 500


class AuditJournalGet(Service):
    """Query: b_start (0), b_size (50, at most 500), verify (1 to recompute the log)."""

    def reply(self):
        form = self.request.form
        bad_page = _(
            "error_journal_batch",
            default="b_start must be 0 or more and b_size between 1 and ${most}.",
            mapping={"most": str(MAX_PAGE)},
        )
        start = int_param(self.request, "b_start", bad_page, least=0, default=0)
        size = int_param(self.request, "b_size", bad_page, least=1, most=MAX_PAGE, default=50)
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
                "head": check.head,
            }
        return answer
