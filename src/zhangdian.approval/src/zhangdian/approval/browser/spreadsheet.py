"""Spreadsheet import and export views of the matter list."""

from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView
from zhangdian.approval import _
from zhangdian.approval.clock import today
from zhangdian.approval.documents.spreadsheet import ImportReport
from zhangdian.approval.documents.spreadsheet import RowError
from zhangdian.approval.documents.spreadsheet import SpreadsheetError
from zhangdian.approval.documents.spreadsheet import export_table
from zhangdian.approval.documents.spreadsheet import import_rows
from zhangdian.approval.documents.spreadsheet import parse_table
from zhangdian.approval.documents.spreadsheet import read_table
from zhangdian.approval.documents.spreadsheet import to_csv
from zhangdian.approval.documents.spreadsheet import to_xlsx
from zope.i18n import translate

import transaction


MAX_UPLOAD_BYTES = 10 * 1024 * 1024
FORMATS = {
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": (to_csv, "text/csv; charset=utf-8"),
}


class MattersExport(BrowserView):
    """The whole matter list as an XLSX or CSV download."""

    def __call__(self):
        fmt = self.request.form.get("format", "xlsx")
        fmt = fmt if isinstance(fmt, str) else ""
        if fmt not in FORMATS:
            self.request.response.setStatus(400)
            return translate(
                _("error_export_format", default="Choose the format xlsx or csv."),
                context=self.request,
            )
        encode, content_type = FORMATS[fmt]
        data = encode(export_table(self.context))
        filename = f"matters-{today().isoformat()}.{fmt}"
        response = self.request.response
        response.setHeader("Content-Type", content_type)
        response.setHeader("Content-Disposition", f'attachment; filename="{filename}"')
        return data


def run_import(matter_list, filename, data, apply):
    """Read, validate and (when `apply` and valid) apply an upload: all rows or none."""
    if len(data) > MAX_UPLOAD_BYTES:
        return ImportReport(
            errors=[
                RowError(
                    0,
                    "",
                    _(
                        "error_import_too_large",
                        default="The file is larger than ${max} MB.",
                        mapping={"max": MAX_UPLOAD_BYTES // (1024 * 1024)},
                    ),
                )
            ]
        )
    try:
        table = read_table(filename, data)
    except SpreadsheetError as error:
        return ImportReport(errors=[RowError(0, "", error.message)])
    report = parse_table(table)
    if report.ok and apply:
        savepoint = transaction.savepoint()
        try:
            import_rows(matter_list, report)
        except Exception:
            savepoint.rollback()
            raise
    return report


class MattersImport(BrowserView):
    """Upload form: validate a spreadsheet, then apply every row or none."""

    report = None
    applied = False

    def __call__(self):
        if self.request.method == "POST":
            CheckAuthenticator(self.request)
            upload = self.request.form.get("file")
            if not upload or not getattr(upload, "filename", None):
                self.error = _("error_import_no_file", default="Choose a file to import.")
                self.request.response.setStatus(400)
                return self.index()
            data = upload.read(MAX_UPLOAD_BYTES + 1)
            apply = not self.request.form.get("dry_run")
            self.report = run_import(self.context, upload.filename, data, apply)
            self.applied = apply and self.report.ok
            if not self.report.ok:
                self.request.response.setStatus(400)
        return self.index()

    error = None
