"""Who holds IndependentApprover on an application: cached verdicts and the security index."""

from plone import api
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.rules.application import OPEN_STATES
from zhangdian.approval.rules.application import may_act
from zhangdian.approval.rules.application import may_act_on_matter
from zhangdian.approval.rules.authorization import forget_accounts
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest


ROLE = "IndependentApprover"


_CACHE_KEY = "zhangdian.approval.may_act"


_BORG_CACHE_PREFIX = "borg.localrole.workspace.checkLocalRolesAllowed"


def _verdicts():
    """This request's memory of verdicts (a throwaway dict outside a request)."""
    request = getRequest()
    return IAnnotations(request, {}).setdefault(_CACHE_KEY, {}) if request else {}


def _cached_on_matter(userid, application, at):
    """The matter's part of `may_act`, remembered per user, matter and day for the request."""
    cache = _verdicts()
    key = (userid, application.matter, bureau_day(at))
    if key not in cache:
        cache[key] = may_act_on_matter(userid, application, at)
    return cache[key]


def cached_may_act(userid, application):
    """`may_act` now; the matter's part remembered for the request (security checks repeat it).

    Recusal and the accepting approver are read from the application itself, so they are
    asked afresh per application at no cost; only the authorisation lookup is shared.
    """
    return may_act(userid, application, on_matter=_cached_on_matter)


def forget_cached_verdicts():
    """Drop the verdicts and local-role checks this request remembers (something changed)."""
    request = getRequest()
    if request is None:
        return
    annotations = IAnnotations(request, {})
    annotations.pop(_CACHE_KEY, None)
    forget_accounts()
    # borg.localrole remembers checkLocalRolesAllowed per user and object for the request.
    for key in [k for k in annotations if str(k).startswith(_BORG_CACHE_PREFIX)]:
        del annotations[key]


def covering_approvers(application, at=None):
    """User ids who may act on the application now (for the catalog's security index).

    Without `at`, the matter's part is remembered per request by matter and accepting
    approver: reindexing the thousands of open applications of a matter after an
    authorisation change asks the same question for each of them. Recusal is per
    application, so it is asked afresh for each one (from the object, at no cost).
    """
    if at is not None:
        candidates = _candidates(application)
        return sorted(u for u in candidates if may_act(u, application, at).allowed)
    cache = _verdicts()
    key = ("covering", application.matter, application.accepted_by, bureau_day())
    if key not in cache:
        cache[key] = [
            userid
            for userid in _candidates(application)
            if _cached_on_matter(userid, application, None).allowed
        ]
    return sorted(
        userid
        for userid in cache[key]
        if may_act(userid, application, on_matter=_cached_on_matter).allowed
    )


def _candidates(application):
    """Approvers whose active authorisation names the application's matter or its category."""
    if application.accepted_by:
        return {application.accepted_by}
    matter = application.matter_object()
    if matter is None:
        return set()
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
    return candidates


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
