"""The grade of each approver's year (年度考核等次), recorded by the working group from the figures.

A grade is kept per approver and year with its history: a correction is a new entry, the
latest counts, and every entry is journalled. The next grant reads it
(`rules.authorization.grade_problems`): 不称职 for the year before a period, or 取消资格 in any
year before it, refuses the grant; a renewal waits until the year's grade is recorded.
"""

from BTrees.OOBTree import OOBTree
from plone import api
from zhangdian.approval import _
from zhangdian.approval.audit import journal
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.clock import now
from zhangdian.approval.errors import BadInput
from zope.annotation.interfaces import IAnnotations


GRADES_KEY = "zhangdian.approval.grades"
GRADE_TITLES = {
    "excellent": _("grade_excellent", default="Excellent (优秀)"),
    "competent": _("grade_competent", default="Competent (称职)"),
    "basically_competent": _("grade_basically_competent", default="Basically competent (基本称职)"),
    "incompetent": _("grade_incompetent", default="Incompetent (不称职)"),
    "disqualified": _("grade_disqualified", default="Qualification withdrawn (取消资格)"),
}
# Grades that end the approver's authorisations now and stop the next one.
FAILING_GRADES = frozenset(("incompetent", "disqualified"))


def _grades(create=False):
    annotations = IAnnotations(api.portal.get())
    if GRADES_KEY not in annotations and create:
        annotations[GRADES_KEY] = OOBTree()
    return annotations.get(GRADES_KEY)


def grade_history(approver, year):
    """Every grade recorded for the approver's year, oldest first."""
    grades = _grades()
    return list(grades.get((approver, int(year)), ())) if grades is not None else []


def grade_of(approver, year):
    """The approver's grade for `year` (the latest recorded), or None."""
    history = grade_history(approver, year)
    return history[-1]["grade"] if history else None


def grades_of(approver):
    """{year: grade} of every graded year of the approver."""
    grades = _grades()
    if grades is None:
        return {}
    return {
        year: entries[-1]["grade"]
        for (userid, year), entries in grades.items(min=(approver, 0), max=(approver, 9999))
        if userid == approver
    }


def gradable_approvers(year):
    """The approvers who held an authorisation in `year` (decided cases or not), sorted."""
    brains = api.content.find(portal_type="ApproverAuthorization", unrestricted=True)
    held = set()
    for brain in brains:
        authorization = brain._unrestrictedGetObject()
        if authorization.valid_from.year <= year <= authorization.valid_until.year:
            held.add(authorization.approver)
    return sorted(held)


def grade_problem(approver, year, grade, reason):
    """Why this grade cannot be recorded (a message), or None."""
    # Imported here: the grant rule in rules.authorization reads the grades from this module.
    from zhangdian.approval.rules.authorization import authorizations_of

    if grade not in GRADE_TITLES:
        return _("error_grade_unknown", default="Choose one of the grades.")
    if not authorizations_of(approver):
        return _(
            "error_grade_not_an_approver",
            default="${approver} has never held an authorisation: there is no year to grade.",
            mapping={"approver": approver},
        )
    if year > bureau_day().year:
        return _(
            "error_grade_future_year",
            default="${year} has not begun: a year is graded from its figures.",
            mapping={"year": str(year)},
        )
    if grade in FAILING_GRADES and not reason:
        return _(
            "error_grade_reason",
            default="Give the reason for the grade ${grade}: it revokes the approver's "
            "authorisations.",
            mapping={"grade": GRADE_TITLES[grade]},
        )
    return None


def record_grade(approver, year, grade, reason=""):
    """Record the grade (journalled); a failing one revokes the active authorisations.

    Returns the revoked authorisations. BadInput names what is wrong; nothing is written then.
    """
    from zhangdian.approval.rules.authorization import ACTIVE
    from zhangdian.approval.rules.authorization import authorizations_of  # see grade_problem

    reason = (reason or "").strip()
    problem = grade_problem(approver, year, grade, reason)
    if problem is not None:
        raise BadInput(problem, code="invalid_grade")
    grades = _grades(create=True)
    entry = {
        "grade": grade,
        "reason": reason,
        "by": api.user.get_current().getId(),
        "at": now(),
    }
    key = (approver, int(year))
    grades[key] = (*grades.get(key, ()), entry)
    journal.record("approver.graded", target=approver, after={"year": int(year), **entry})
    revoked = []
    if grade in FAILING_GRADES:
        workflow = api.portal.get_tool("portal_workflow")
        comment = f"{year}年度考核：{GRADE_TITLES[grade].default}。{reason}"
        for authorization in authorizations_of(approver):
            if api.content.get_state(authorization) == ACTIVE:
                workflow.doActionFor(authorization, "revoke", comment=comment)
                revoked.append(authorization)
    return revoked
