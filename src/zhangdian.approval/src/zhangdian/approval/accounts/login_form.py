"""Plone's login form, saying why a throttled or locked login was refused."""

from Products.CMFPlone.browser import login as plone_login
from Products.CMFPlone.browser.login.login import LoginForm
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from Products.statusmessages.interfaces import IStatusMessage
from zhangdian.approval.accounts.plugin import login_refusal

import os


class ThrottledLoginForm(LoginForm):
    """The form Plone shows, with the throttle's reason instead of "Login failed"."""

    index = ViewPageTemplateFile(
        "templates/login.pt", _prefix=os.path.dirname(plone_login.__file__)
    )

    def update(self):
        """Run Plone's form; a refusal replaces its message and sets the status."""
        super().update()
        refusal = login_refusal(self.request)
        if refusal is None:
            return
        messages = IStatusMessage(self.request)
        # Plone's "check caps lock" would send the person looking for a typo.
        messages.show()
        messages.add(refusal.translated(self.request), type="error")
        self.request.response.setStatus(refusal.status)
        for name, value in refusal.headers.items():
            self.request.response.setHeader(name, value)
