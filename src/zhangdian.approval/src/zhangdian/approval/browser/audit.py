"""The auditors' page: is the journal's chain whole, and the latest entries."""

from Products.Five.browser import BrowserView
from zhangdian.approval.audit import journal
from zhangdian.approval.audit import verify_journal
from zhangdian.approval.evidence import evidence_bundle

PAGE_SIZE = 100


class AuditJournalView(BrowserView):
    """Recomputes the chain on request (`?verify=1`) and lists the newest entries."""

    def check(self):
        """The verification, when asked for."""
        return verify_journal() if self.request.form.get("verify") == "1" else None

    def entries(self):
        """The newest PAGE_SIZE entries, newest first."""
        log = journal()
        keys = range(log.length, max(log.length - PAGE_SIZE, 0), -1)
        return [log.entries[key] for key in keys if key in log.entries]

    def total(self):
        """How many entries the journal holds."""
        return journal().length


class EvidenceBundleView(BrowserView):
    """Download the application's evidence bundle (ZIP)."""

    def __call__(self):
        data = evidence_bundle(self.context)
        response = self.request.response
        response.setHeader("Content-Type", "application/zip")
        response.setHeader(
            "Content-Disposition", f'attachment; filename="{self.context.number}-evidence.zip"'
        )
        response.setHeader("Content-Length", str(len(data)))
        return data
