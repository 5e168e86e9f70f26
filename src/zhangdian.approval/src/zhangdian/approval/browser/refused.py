"""The page a browser gets when a rule refuses a change deep inside a Zope or Plone form.

A Manager's ZMI paste or rename of a decided application, a folder-contents cut of a
call-back, or a signing record written in the ZMI without the four-eyes confirmation raises
the rule's refusal; without this view Zope would show its error page with a 500. The page
says why, in the request's language, with the refusal's status (409, 403).
"""

from html import escape
from plone import api
from plone.rest.interfaces import IAPIRequest
from Products.Five.browser import BrowserView
from zhangdian.approval import _
from zhangdian.approval.services.errors import ApprovalErrorView
from zope.i18n import translate


class RefusedChangeView(BrowserView):
    """Render a refused change as a small HTML page; REST requests get the JSON body."""

    # Rendered by the publisher for a raised refusal, never reached by traversal: public.
    __roles__ = None

    def __call__(self):
        if IAPIRequest.providedBy(self.request):
            # More specific than the REST error view for these errors, so hand it over.
            return ApprovalErrorView(self.context, self.request)()
        error = self.context
        response = self.request.response
        response.setStatus(error.status, lock=1)
        response.setHeader("Content-Type", "text/html; charset=utf-8")
        title = translate(
            _("title_refused_change", default="This change is not allowed"), context=self.request
        )
        back = escape(api.portal.get().absolute_url(), quote=True)
        home = translate(
            _("label_back_to_portal", default="Back to the portal"), context=self.request
        )
        body = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title></head><body>"
            f"<h1>{escape(title)}</h1>"
            f"<p class='zd-refused' data-type='{escape(error.code, quote=True)}'>"
            f"{escape(error.translated(self.request))}</p>"
            f"<p><a href='{back}'>{escape(home)}</a></p></body></html>"
        )
        response.setBody(body, lock=1)
        return body
