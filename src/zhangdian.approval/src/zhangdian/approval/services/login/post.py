"""POST @login: plone.restapi's login, with the throttle's refusal said as such."""

from plone.restapi.services.auth.login import Login
from zhangdian.approval.accounts.plugin import login_refusal


class ThrottledLoginPost(Login):
    """Body: login, password. A throttled login is a 429 or 423 error, not a 401."""

    def reply(self):
        """Log in as plone.restapi does; raise the refusal the PAS plugin noted."""
        answer = super().reply()
        refusal = login_refusal(self.request)
        if refusal is not None:
            raise refusal
        return answer
