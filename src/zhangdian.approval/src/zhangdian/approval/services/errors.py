"""The one REST exception view: an `ApprovalError` becomes `{"type", "message"}` with its status.

Modelled on plone.rest's `ErrorHandling`, which renders every other exception of a REST
request. Services simply raise: the publisher aborts the transaction of a request that
raised (after this view has rendered the answer), so a refused request stores nothing.
"""

from plone.rest.interfaces import IAPIRequest
from plone.rest.interfaces import ICORSPolicy
from Products.Five.browser import BrowserView
from zhangdian.approval.errors import ApprovalError
from zope.component import adapter
from zope.component import queryMultiAdapter

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
