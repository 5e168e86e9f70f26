"""GET @my-authorizations: the logged-in approver's authorisations, newest first."""

from plone import api
from plone.restapi.services import Service
from zhangdian.approval.rules.authorization import authorizations_of
from zhangdian.approval.services.summaries import authorization_summary


class MyAuthorizationsGet(Service):
    """Every period of the current user's authorisation, with its state and scope."""

    def reply(self):
        userid = api.user.get_current().getId()
        items = [authorization_summary(a) for a in authorizations_of(userid)]
        return {
            "@id": f"{self.context.absolute_url()}/@my-authorizations",
            "approver": userid,
            "items": items,
            "items_total": len(items),
        }
