"""Views of the approver roster."""

from plone import api
from Products.Five.browser import BrowserView
from zhangdian.approval.authorizations import DASHBOARD_WINDOW_DAYS
from zhangdian.approval.authorizations import approvers_without_current_authorization
from zhangdian.approval.authorizations import bureau_day
from zhangdian.approval.authorizations import expiring_soon


class AuthorizationDashboard(BrowserView):
    """Authorisations ending within 30 days and approvers without a current one."""

    window = DASHBOARD_WINDOW_DAYS

    def expiring(self):
        """Rows for the authorisations that end soon, soonest first."""
        today = bureau_day()
        return [
            {
                "url": authorization.absolute_url(),
                "approver": self.fullname(authorization.approver),
                "valid_until": authorization.valid_until.isoformat(),
                "days_left": (authorization.valid_until - today).days,
            }
            for authorization in expiring_soon()
        ]

    def without_authorization(self):
        """Approvers who are left without a current authorisation."""
        return [
            {"userid": userid, "name": self.fullname(userid)}
            for userid in approvers_without_current_authorization()
        ]

    def fullname(self, userid):
        """The approver's full name, or the user id."""
        user = api.user.get(userid=userid)
        return (user.getProperty("fullname") if user else "") or userid
