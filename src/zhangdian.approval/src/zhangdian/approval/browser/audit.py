"""The auditors' page: is the journal's chain whole, and the latest entries."""

from plone import api
from plone.memoize.view import memoize
from plone.protect import CheckAuthenticator as checkCSRF
from Products.Five.browser import BrowserView
from zExceptions import BadRequest
from zhangdian.approval import _
from zhangdian.approval.audit.evidence import evidence_bundle
from zhangdian.approval.audit.heads import log_public_key
from zhangdian.approval.audit.heads import public_key_pem
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.audit.journal import record_oversight_read
from zhangdian.approval.audit.journal import verify_journal
from zhangdian.approval.body import is_utf8
from zhangdian.approval.body import whole_number
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.supervision.assessment import COLUMNS
from zhangdian.approval.supervision.assessment import FIRST_YEAR
from zhangdian.approval.supervision.assessment import LAST_YEAR
from zhangdian.approval.supervision.assessment import UNFIT_REASON_REQUIRED
from zhangdian.approval.supervision.assessment import annual_figures
from zhangdian.approval.supervision.assessment import figures_pdf
from zhangdian.approval.supervision.assessment import figures_xlsx
from zhangdian.approval.supervision.assessment import mark_unfit
from zope.i18n import translate


PAGE_SIZE = 100


def requested_year(request):
    """The `year` parameter when it is one an assessment can be asked for, else this year."""
    year = whole_number(request.form.get("year", ""), least=FIRST_YEAR, most=LAST_YEAR)
    return year or bureau_day().year


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


class AuditLogHeadsView(BrowserView):
    """Every signed tree head, newest first, and the log's public key: for anyone to keep."""

    def heads(self):
        """The heads, newest first."""
        return list(reversed(list(journal().heads.values())))

    def log_key_pem(self):
        """The log's public key (PEM), or None when its token is not configured."""
        key = log_public_key(required=False)
        return public_key_pem(key) if key is not None else None


class EvidenceBundleView(BrowserView):
    """Download the application's evidence bundle (ZIP)."""

    def __call__(self):
        record_oversight_read(self.context, self.request, "application.evidence_exported")
        data = evidence_bundle(self.context)
        response = self.request.response
        response.setHeader("Content-Type", "application/zip")
        response.setHeader(
            "Content-Disposition", f'attachment; filename="{self.context.number}-evidence.zip"'
        )
        response.setHeader("Content-Length", str(len(data)))
        return data


class AnnualAssessmentView(BrowserView):
    """The year's figures per approver as a table and a bar chart, exports, the unfit verdict."""

    def year(self):
        """The year asked for, else the current one."""
        return requested_year(self.request)

    @memoize
    def rows(self):
        """The figures."""
        return annual_figures(self.year())

    def columns(self):
        """(key, title) of the table."""
        return COLUMNS

    def bars(self):
        """The on-time rate of each approver as bar widths (percent) for the chart."""
        return [
            {"approver": row["approver"], "percent": round((row["on_time_rate"] or 0) * 100)}
            for row in self.rows()
        ]

    def can_mark_unfit(self):
        """True for the working group (who may revoke authorisations)."""
        return bool(api.user.has_permission("zhangdian.approval: Manage Authorizations"))


EXPORTS = {
    "xlsx": (figures_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (figures_pdf, "application/pdf"),
}


class AnnualAssessmentXlsx(BrowserView):
    """The figures as XLSX (?year=2026)."""

    extension = "xlsx"

    def __call__(self):
        year = requested_year(self.request)
        render, content_type = EXPORTS[self.extension]
        data = render(year, annual_figures(year))
        response = self.request.response
        response.setHeader("Content-Type", content_type)
        response.setHeader(
            "Content-Disposition", f'attachment; filename="assessment-{year}.{self.extension}"'
        )
        return data


class MarkUnfitForm(BrowserView):
    """POST: the working group marks an approver unfit; the authorisation is revoked."""

    def __call__(self):
        request = self.request
        if request.method != "POST":
            raise BadRequest("POST only")
        checkCSRF(request)
        approver = str(request.form.get("approver", "")).strip()
        reason = str(request.form.get("reason", "")).strip()
        year = requested_year(request)
        url = f"{self.context.absolute_url()}/@@annual-assessment?year={year}"
        # Bytes that are not UTF-8 arrive as lone surrogates, which the journal cannot record.
        if not reason or not approver or not is_utf8(approver + reason):
            api.portal.show_message(
                translate(UNFIT_REASON_REQUIRED, context=request), request, "error"
            )
            return request.response.redirect(url)
        revoked = mark_unfit(approver, year, reason)
        api.portal.show_message(
            translate(
                _(
                    "msg_marked_unfit",
                    default="${approver} was marked unfit; ${count} authorisation(s) revoked.",
                    mapping={"approver": approver, "count": str(len(revoked))},
                ),
                context=request,
            ),
            request,
        )
        return request.response.redirect(url)


class AnnualAssessmentPdf(AnnualAssessmentXlsx):
    """The figures as PDF (?year=2026)."""

    extension = "pdf"
