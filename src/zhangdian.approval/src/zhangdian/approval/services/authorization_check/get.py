"""GET @authorization-check?matter=CODE: may the current user decide that matter now?"""

from plone import api
from plone.restapi.services import Service
from zhangdian.approval import _
from zhangdian.approval.content.matter import find_matter_by_code
from zhangdian.approval.errors import BadInput
from zhangdian.approval.errors import NothingFound
from zhangdian.approval.rules.authorization import may_decide
from zhangdian.approval.services.summaries import authorization_summary
from zope.i18n import translate


class AuthorizationCheckGet(Service):
    """Whether, and under which authorisation and certificate, the user may decide a matter."""

    def reply(self):
        code = str(self.request.form.get("matter", "") or "").strip().upper()
        if not code:
            raise BadInput(_("error_check_no_matter", default="Name the matter: ?matter=CODE."))
        brain = find_matter_by_code(code)
        matter = brain._unrestrictedGetObject() if brain is not None else None
        # A draft is the working group's: to whoever may not read it, it does not exist yet.
        if matter is None or not api.user.has_permission("View", obj=matter):
            raise NothingFound(
                _(
                    "error_check_unknown_matter",
                    default="There is no matter with the code ${code}.",
                    mapping={"code": code},
                )
            )
        verdict = may_decide(api.user.get_current().getId(), matter)
        return {
            "matter": {"code": code, "title": brain.Title},
            "allowed": verdict.allowed,
            "reason": verdict.reason,
            "message": translate(verdict.message, context=self.request),
            "certificate_fingerprint": verdict.certificate_fingerprint,
            "authorization": authorization_summary(verdict.authorization)
            if verdict.authorization is not None
            else None,
        }
