"""A refusal raised inside a Classic UI or ZMI form: its status and its message, not a 500."""

from plone.rest.interfaces import IAPIRequest
from Products.Five.browser import BrowserView
from zhangdian.approval.services.errors import ApprovalErrorView

import html


PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p class="refusal" data-type="{code}">{message}</p>
<p><a href="javascript:history.back()">←</a></p></body></html>"""


class RefusalPage(BrowserView):
    """For a refusal the registry's own forms cannot show (a signing record written directly)."""

    def __call__(self):
        """The translated message with the refusal's status (JSON for REST requests)."""
        if IAPIRequest.providedBy(self.request):
            return ApprovalErrorView(self.context, self.request)()
        error = self.context
        response = self.request.response
        response.setStatus(error.status, lock=1)
        response.setHeader("Content-Type", "text/html; charset=utf-8")
        language = self.request.get("LANGUAGE", "") or "zh-cn"
        return PAGE.format(
            lang=html.escape(language),
            title=html.escape(str(error.status)),
            code=html.escape(error.code),
            message=html.escape(error.translated(self.request)),
        )
