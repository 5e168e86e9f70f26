"""REST exception views: an `ApprovalError` becomes `{"type", "message"}` with its status.

Modelled on plone.rest's `ErrorHandling`, which renders every other exception of a REST
request. Services simply raise: the publisher aborts the transaction of a request that
raised (after this view has rendered the answer), so a refused request stores nothing.
"""

from plone.rest.errors import ErrorHandling
from plone.rest.interfaces import IAPIRequest
from plone.rest.interfaces import ICORSPolicy
from plone.rest.traverse import RESTWrapper
from Products.CMFCore.interfaces import ISiteRoot
from Products.Five.browser import BrowserView
from zExceptions import Unauthorized
from zhangdian.approval.casework.refused_attempts import SAFE_METHODS
from zhangdian.approval.casework.refused_attempts import actor_of
from zhangdian.approval.content.application import IApplication
from zhangdian.approval.errors import ApprovalError
from zhangdian.approval.errors import Refused
from zhangdian.approval.rules.application import may_act
from zhangdian.approval.rules.authorization import authorizations_of
from zope.component import adapter
from zope.component import queryMultiAdapter
from zope.component.hooks import getSite

import json


@adapter(ApprovalError, IAPIRequest)
class ApprovalErrorView(BrowserView):
    """Render the error in the request's language, without plone.rest's context and traceback."""

    def __call__(self):
        error = self.context
        policy = queryMultiAdapter((error, self.request), ICORSPolicy)
        if policy is not None:
            policy.process_simple_request()
        response = self.request.response
        response.setHeader("Content-Type", "application/json")
        # Locked, as plone.rest does, so that nothing later in the publisher changes them.
        response.setStatus(error.status, lock=1)
        for name, value in getattr(error, "headers", {}).items():
            response.setHeader(name, value)
        body = json.dumps(
            error.as_json(self.request), indent=2, sort_keys=True, separators=(", ", ": ")
        )
        response.setBody(body, lock=1)


def approver_refusal(request) -> Refused | None:
    """Why an approver may not act on the application a refused REST write names, if they are one.

    Without the IndependentApprover local role an approver cannot even view the application,
    so the publisher answers 401; an account holding an authorisation learns the reason of
    `may_act` instead. Everyone else (applicants, anonymous, the working group) keeps the
    bare 401, which tells them nothing about the application.
    """
    if request.get("REQUEST_METHOD", "GET").upper() in SAFE_METHODS:
        return None
    site = getSite()
    if site is None or not ISiteRoot.providedBy(site):
        return None
    parents = [p.context if isinstance(p, RESTWrapper) else p for p in request.get("PARENTS", ())]
    application = next((p for p in parents if IApplication.providedBy(p)), None)
    if application is None:
        return None
    userid = actor_of(request, site)
    if userid is None or not authorizations_of(userid):
        return None
    verdict = may_act(userid, application)
    if verdict.allowed:
        return None
    return Refused(verdict.message, code=verdict.reason, status=403)


@adapter(Unauthorized, IAPIRequest)
class UnauthorizedView(ErrorHandling):
    """plone.rest's 401, or the approver's reason as a 403 (see `approver_refusal`)."""

    def __call__(self):
        refusal = approver_refusal(self.request)
        if refusal is None:
            return super().__call__()
        ApprovalErrorView(refusal, self.request)()
        # PAS must not challenge (401 / login redirect) an answer that is already final.
        self.request.response._has_challenged = True
