"""Who holds IndependentApprover on an application: cached verdicts and the security index."""

from plone import api
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.rules.application import OPEN_STATES
from zhangdian.approval.rules.application import may_act
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest


ROLE = "IndependentApprover"


_CACHE_KEY = "zhangdian.approval.may_act"


_BORG_CACHE_PREFIX = "borg.localrole.workspace.checkLocalRolesAllowed"


def _verdicts():
    """This request's memory of verdicts (a throwaway dict outside a request)."""
    request = getRequest()
    return IAnnotations(request, {}).setdefault(_CACHE_KEY, {}) if request else {}


def cached_may_act(userid, application):
    """`may_act` now, remembered for the rest of the request (security checks repeat it)."""
    cache = _verdicts()
    key = (userid, application.matter, application.accepted_by, bureau_day())
    if key not in cache:
        cache[key] = may_act(userid, application)
    return cache[key]


def forget_cached_verdicts():
    """Drop the verdicts and local-role checks this request remembers (something changed)."""
    request = getRequest()
    if request is None:
        return
    annotations = IAnnotations(request, {})
    annotations.pop(_CACHE_KEY, None)
    # borg.localrole remembers checkLocalRolesAllowed per user and object for the request.
    for key in [k for k in annotations if str(k).startswith(_BORG_CACHE_PREFIX)]:
        del annotations[key]


def covering_approvers(application, at=None):
    """User ids whose current authorisation covers the application's matter (for indexing).

    Without `at`, remembered per request by matter and accepting approver: reindexing the
    thousands of open applications of a matter after an authorisation change asks the same
    question for each of them.
    """
    if at is not None:
        return _covering_approvers(application, at)
    cache = _verdicts()
    key = ("covering", application.matter, application.accepted_by, bureau_day())
    if key not in cache:
        cache[key] = _covering_approvers(application, None)
    return cache[key]


def _covering_approvers(application, at):
    """covering_approvers, computed."""
    if application.accepted_by:
        candidates = {application.accepted_by}
    else:
        matter = application.matter_object()
        if matter is None:
            return []
        candidates = set()
        for index, value in (
            ("scope_categories", matter.aq_parent.getId()),
            ("scope_matters", application.matter),
        ):
            brains = api.content.find(
                portal_type="ApproverAuthorization",
                review_state="active",
                unrestricted=True,
                **{index: value},
            )
            candidates.update(brain.approver for brain in brains)
    return sorted(userid for userid in candidates if may_act(userid, application, at).allowed)


def open_applications_for(matter_codes):
    """Open applications of these matters, whoever asks."""
    if not matter_codes:
        return []
    brains = api.content.find(
        portal_type="Application",
        matter_code=sorted(matter_codes),
        review_state=OPEN_STATES,
        unrestricted=True,
    )
    return [brain._unrestrictedGetObject() for brain in brains]


def matter_codes_in_scope(authorization):
    """Codes of every matter the authorisation's scope names, by category or one by one."""
    codes = set(authorization.scope_matters or ())
    categories = list(authorization.scope_categories or ())
    if categories:
        brains = api.content.find(
            portal_type="Matter", matter_category=categories, unrestricted=True
        )
        codes.update(brain.matter_code for brain in brains)
    return codes


def bring_security_in_line(authorization):
    """Reindex the security of open applications the authorisation covers or covered.

    The scope may just have shrunk, so applications where the approver is currently
    indexed are included as well as those the new scope names.
    """
    forget_cached_verdicts()
    codes = matter_codes_in_scope(authorization)
    applications = {app.UID(): app for app in open_applications_for(codes)}
    if authorization.approver:
        brains = api.content.find(
            portal_type="Application",
            review_state=OPEN_STATES,
            allowedRolesAndUsers=f"user:{authorization.approver}",
            unrestricted=True,
        )
        for brain in brains:
            applications.setdefault(brain.UID, brain._unrestrictedGetObject())
    for application in applications.values():
        application.reindexObjectSecurity()
    return len(applications)
