"""The annual assessment of each approver (年度考核): figures and exports; grades in roster."""

from io import BytesIO
from plone import api
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from zhangdian.approval.casework.decisions import BUREAU_NAME
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.documents.decision_document import font_name
from zhangdian.approval.rules.application import DECIDED_STATES
from zhangdian.approval.rules.deadlines import decided_on_time
from zhangdian.approval.rules.oversight import current_callbacks
from zhangdian.approval.workdays import bureau_calendar

import openpyxl


# The years an assessment can be asked for.
FIRST_YEAR = 2000
LAST_YEAR = 2100
COLUMNS = (
    ("approver", "审批员"),
    ("decided", "办结件数"),
    ("on_time_rate", "按时办结率"),
    ("average_working_days", "平均办理工作日"),
    ("spot_checked", "抽查件数"),
    ("problem_rate", "抽查问题率"),
    ("satisfaction", "满意度（1–5）"),
    ("complaints", "投诉件数"),
)


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


def annual_figures(year):
    """One row per approver who decided a case in `year`: the assessment's figures."""
    brains = api.content.find(
        portal_type="Application", review_state=list(DECIDED_STATES), unrestricted=True
    )
    cases = {}
    for brain in brains:
        application = brain._unrestrictedGetObject()
        if application.decided_at and bureau_day(application.decided_at).year == year:
            cases.setdefault(application.decided_by, []).append(application)
    findings, callbacks = _findings(year), _callbacks(year)
    calendar = bureau_calendar()
    rows = []
    for approver in sorted(cases):
        decided = cases[approver]
        numbers = {application.number for application in decided}
        timed = [flag for flag in map(decided_on_time, decided) if flag is not None]
        durations = [
            calendar.working_days_between(
                bureau_day(application.accepted_at), bureau_day(application.decided_at)
            )
            for application in decided
            if application.accepted_at
        ]
        checked = [finding for number, finding in findings.items() if number in numbers]
        calls = [call for call in callbacks if call.application in numbers]
        rows.append(
            {
                "approver": approver,
                "decided": len(decided),
                "on_time_rate": _rate(sum(timed), len(timed)),
                "average_working_days": round(sum(durations) / len(durations), 2)
                if durations
                else None,
                "spot_checked": len(checked),
                "problem_rate": _rate(
                    sum(1 for finding in checked if finding["finding"] == "problem"), len(checked)
                ),
                "satisfaction": round(sum(c.rating() for c in calls) / len(calls), 2)
                if calls
                else None,
                "complaints": sum(1 for call in calls if call.complaint),
            }
        )
    return rows


def _findings(year):
    """{number: latest finding entry} of the spot checks of quarters in `year`.

    A correction is a new entry; the one it corrects stays on record but no longer counts.
    """
    findings = {}
    for brain in api.content.find(portal_type="SpotCheck", unrestricted=True):
        check = brain._unrestrictedGetObject()
        if check.quarter.startswith(f"{year}-"):
            findings.update(check.findings or {})
    return findings


def _callbacks(year):
    """The call-backs made in `year` that no later call-back corrects."""
    calls = [
        brain._unrestrictedGetObject()
        for brain in api.content.find(portal_type="Callback", unrestricted=True)
    ]
    return [call for call in current_callbacks(calls) if call.created().year() == year]


def figures_xlsx(year, rows):
    """The figures as an XLSX workbook (bytes), with the Chinese column headings."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = f"{year}年度考核"
    sheet.append([title for _key, title in COLUMNS])
    for row in rows:
        sheet.append([row[key] for key, _title in COLUMNS])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def figures_pdf(year, rows):
    """The figures as an A4 landscape PDF table with an embedded Chinese font (bytes)."""
    font = font_name()
    buffer = BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height), initialFontName=font)
    canvas.setTitle(f"{year}年度独立审批员考核")
    canvas.setFont(font, 16)
    canvas.drawString(20 * mm, height - 20 * mm, f"{BUREAU_NAME} {year}年度独立审批员考核")
    step = (width - 40 * mm) / len(COLUMNS)
    y = height - 35 * mm
    for row in [None, *rows]:
        if y < 20 * mm:
            canvas.showPage()
            y = height - 20 * mm
        canvas.setFont(font, 10)
        for index, (key, title) in enumerate(COLUMNS):
            value = title if row is None else row[key]
            text = "—" if value is None else str(value)
            canvas.drawString(20 * mm + index * step, y, text)
        y -= 7 * mm
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
