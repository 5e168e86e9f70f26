"""GET @annual-assessment?year=2026: each approver's figures for the year."""

from plone.restapi.services import Service
from zhangdian.approval import _
from zhangdian.approval.body import int_param
from zhangdian.approval.supervision.assessment import COLUMNS
from zhangdian.approval.supervision.assessment import FIRST_YEAR
from zhangdian.approval.supervision.assessment import LAST_YEAR
from zhangdian.approval.supervision.assessment import annual_figures


class AnnualAssessmentGet(Service):
    """The figures, with the column titles."""

    def reply(self):
        year = int_param(
            self.request,
            "year",
            _("error_assessment_year", default="Give the year, e.g. year=2026."),
            least=FIRST_YEAR,
            most=LAST_YEAR,
        )
        return {
            "@id": f"{self.context.absolute_url()}/@annual-assessment?year={year}",
            "year": year,
            "columns": [{"id": key, "title": title} for key, title in COLUMNS],
            "items": annual_figures(year),
        }
