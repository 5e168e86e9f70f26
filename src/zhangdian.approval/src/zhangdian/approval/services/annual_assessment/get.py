"""GET @annual-assessment?year=2026: each approver's figures for the year."""

from plone.restapi.services import Service
from zhangdian.approval import _
from zhangdian.approval.assessment import COLUMNS
from zhangdian.approval.assessment import annual_figures
from zhangdian.approval.services.errors import error


def requested_year(request):
    """The `year` parameter as an int between 2000 and 2100, or None."""
    try:
        year = int(request.form.get("year", ""))
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


class AnnualAssessmentGet(Service):
    """The figures, with the column titles."""

    def reply(self):
        year = requested_year(self.request)
        if year is None:
            return error(
                self,
                400,
                "BadRequest",
                _("error_assessment_year", default="Give the year, e.g. year=2026."),
            )
        return {
            "@id": f"{self.context.absolute_url()}/@annual-assessment?year={year}",
            "year": year,
            "columns": [{"id": key, "title": title} for key, title in COLUMNS],
            "items": annual_figures(year),
        }
