"""Helpers for the authorisation tests: dates, authorisations, transitions."""

from datetime import date
from plone import api
from plone.app.testing import login
from plone.app.testing import logout


# Noon in Zibo, so the bureau's calendar day is unambiguous.
def at(day):
    """A moment on `day` (YYYY-MM-DD) at 12:00 China time."""
    return f"{day} 12:00:00 +0800"


def make_authorization(roster, userid, start, end, categories=(), matters=(), **evidence):
    """Create a pending authorisation with full, valid qualification evidence."""
    data = {
        "joined_department": date(2020, 3, 1),
        "exam_date": date(2025, 6, 1),
        "exam_score": 86,
        "exam_certificate_no": "ZD-EXAM-0001",
        "training_records": "2025 年独立审批员岗位培训（40 学时）",
        "last_appraisal": "competent",
    }
    data.update(evidence)
    with api.env.adopt_roles(["Manager"]):
        return api.content.create(
            container=roster,
            type="ApproverAuthorization",
            id=f"{userid}-{start}",
            title=f"{userid} {start}",
            approver=userid,
            scope_categories=list(categories),
            scope_matters=list(matters),
            valid_from=date.fromisoformat(start),
            valid_until=date.fromisoformat(end),
            **data,
        )


def transition(portal, obj, name, userid="workgroup", **kwargs):
    """Fire a workflow transition as `userid`."""
    login(portal, userid)
    try:
        # portal_workflow, not plone.api: plone.api replaces our refusal reason with its own.
        api.portal.get_tool("portal_workflow").doActionFor(obj, name, **kwargs)
    finally:
        logout()
