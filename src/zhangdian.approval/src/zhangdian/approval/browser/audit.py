"""The auditors' page: is the journal's chain whole, and the latest entries."""

from plone import api
from plone.memoize.view import memoize
from plone.protect import CheckAuthenticator as checkCSRF
from Products.Five.browser import BrowserView
from zExceptions import BadRequest
from zhangdian.approval import _
from zhangdian.approval.accounts.names import person_label
from zhangdian.approval.audit.actions import action_title
from zhangdian.approval.audit.evidence import evidence_bundle
from zhangdian.approval.audit.heads import log_public_key
from zhangdian.approval.audit.heads import public_key_pem
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.audit.journal import record_oversight_read
from zhangdian.approval.audit.journal import verify_journal
from zhangdian.approval.body import is_utf8
from zhangdian.approval.body import whole_number
from zhangdian.approval.browser.dates import bureau_time
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.errors import BadInput
from zhangdian.approval.roster.grades import FAILING_GRADES
from zhangdian.approval.roster.grades import GRADE_TITLES
from zhangdian.approval.roster.grades import gradable_approvers
from zhangdian.approval.roster.grades import grade_of
from zhangdian.approval.roster.grades import record_grade
from zhangdian.approval.supervision.assessment import COLUMNS
from zhangdian.approval.supervision.assessment import FIRST_YEAR
from zhangdian.approval.supervision.assessment import LAST_YEAR
from zhangdian.approval.supervision.assessment import annual_figures
from zhangdian.approval.supervision.assessment import figures_pdf
from zhangdian.approval.supervision.assessment import figures_xlsx
from zope.i18n import translate


PAGE_SIZE = 100


def requested_year(request):
    """The `year` parameter when it is one an assessment can be asked for, else this year."""
    year = whole_number(request.form.get("year", ""), least=FIRST_YEAR, most=LAST_YEAR)
    return year or bureau_day().year


def journal_row(entry):
    """One journal entry for people: Beijing time, the actor's name and id, the action's title."""
    return {
        **entry,
        "at": bureau_time(entry["at"]),
        "actor": person_label(entry["actor"]),
        "action_id": entry["action"],
        "action": action_title(entry["action"]),
    }


def newest_journal_entries(count):
    """The newest `count` journal entries as rows, newest first."""
    log = journal()
    keys = range(log.length, max(log.length - count, 0), -1)
    return [journal_row(log.entries[key]) for key in keys if key in log.entries]


class AuditJournalView(BrowserView):
    """Recomputes the chain on request (`?verify=1`) and lists the newest entries."""

    def check(self):
        """The verification, when asked for."""
        return verify_journal() if self.request.form.get("verify") == "1" else None

    def entries(self):
        """The newest PAGE_SIZE entries, newest first."""
        return newest_journal_entries(PAGE_SIZE)

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
            {
                "approver": row["approver"],
                "name": person_label(row["approver"]),
                "percent": round((row["on_time_rate"] or 0) * 100),
            }
            for row in self.rows()
        ]

    def cell(self, row, key):
        """One cell of the table: the approver by name and id, a missing figure as a dash."""
        if key == "approver":
            return person_label(row[key])
        return "—" if row[key] is None else row[key]

    def can_record_grades(self):
        """True for the working group (who may revoke authorisations)."""
        return bool(api.user.has_permission("zhangdian.approval: Manage Authorizations"))

    def grade_title(self, approver):
        """The approver's recorded grade for the year, or None."""
        grade = grade_of(approver, self.year())
        return GRADE_TITLES[grade] if grade else None

    def gradable(self):
        """(user id, "name (id)") of the approvers who held an authorisation in the year."""
        return [(userid, person_label(userid)) for userid in gradable_approvers(self.year())]

    def grades(self):
        """(value, title, failing) of the grades the form offers."""
        return [(value, title, value in FAILING_GRADES) for value, title in GRADE_TITLES.items()]


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


class RecordGradeForm(BrowserView):
    """POST: the working group records an approver's grade; a failing one revokes."""

    def __call__(self):
        request = self.request
        if request.method != "POST":
            raise BadRequest("POST only")
        checkCSRF(request)
        approver = str(request.form.get("approver", "")).strip()
        grade = str(request.form.get("grade", "")).strip()
        reason = str(request.form.get("reason", "")).strip()
        year = requested_year(request)
        url = f"{self.context.absolute_url()}/@@annual-assessment?year={year}"
        # Bytes that are not UTF-8 arrive as lone surrogates, which the journal cannot record.
        if not approver or not is_utf8(approver + grade + reason):
            grade = ""  # refused below as an unknown grade, with the form's message
        try:
            revoked = record_grade(approver, year, grade, reason)
        except BadInput as error:
            api.portal.show_message(error.translated(request), request, "error")
            return request.response.redirect(url)
        api.portal.show_message(
            translate(
                _(
                    "msg_grade_recorded",
                    default="${approver}: ${grade} recorded for ${year}; ${count} "
                    "authorisation(s) revoked.",
                    mapping={
                        "approver": approver,
                        "grade": translate(GRADE_TITLES[grade], context=request),
                        "year": str(year),
                        "count": str(len(revoked)),
                    },
                ),
                context=request,
            ),
            request,
        )
        return request.response.redirect(url)


class AnnualAssessmentPdf(AnnualAssessmentXlsx):
    """The figures as PDF (?year=2026)."""

    extension = "pdf"
