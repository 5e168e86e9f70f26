"""The public front page (政务服务首页) and the decision verification page (决定书验证)."""

from Products.Five.browser import BrowserView
from zhangdian.approval import _
from zhangdian.approval.browser.bureau import CONTACT
from zhangdian.approval.casework.decisions import BUREAU_NAME
from zhangdian.approval.casework.figures import month_figures
from zhangdian.approval.casework.public import published_matters
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.content.matter_category import IMatterCategory
from zhangdian.approval.errors import ApprovalError
from zhangdian.approval.errors import BadInput
from zhangdian.approval.setuphandlers import APPLICATIONS_ID
from zhangdian.approval.setuphandlers import MATTER_LIST_ID
from zhangdian.approval.signing.public_verify import MAX_PDF
from zhangdian.approval.signing.public_verify import verify_decision


class FrontPage(BrowserView):
    """The site's front: search the list, categories, lookup, apply, verify, figures, contact."""

    bureau_name = BUREAU_NAME

    def matter_list(self):
        """The matter list, or None on a site without one."""
        return self.context.get(MATTER_LIST_ID)

    def categories(self):
        """The categories of the list with how many published matters each holds."""
        matter_list = self.matter_list()
        if matter_list is None:
            return []
        counts = {}
        for brain in published_matters(matter_list):
            counts[brain.matter_category] = counts.get(brain.matter_category, 0) + 1
        return [
            {
                "title": category.Title(),
                "url": category.absolute_url(),
                "count": counts.get(category.getId(), 0),
            }
            for category in matter_list.objectValues()
            if IMatterCategory.providedBy(category)
        ]

    def total(self):
        """The published matters of the list."""
        return sum(category["count"] for category in self.categories())

    def figures(self):
        """This month's decided cases and on-time rate, formatted."""
        figures = month_figures()
        rate = figures["on_time_rate"]
        return {
            "month": bureau_day().strftime("%Y-%m"),
            "decided": figures["decided"],
            "on_time": f"{rate * 100:.1f} %" if rate is not None else "—",
        }

    def apply_url(self):
        """The application form (the login form first for visitors)."""
        return f"{self.context.absolute_url()}/{APPLICATIONS_ID}/++add++Application"

    def contact(self):
        """(label, text) of the windows' contact and hours."""
        return CONTACT


class VerifyDecisionView(BrowserView):
    """Anyone uploads a decision PDF, or gives number and query code, and sees what it proves."""

    result = None
    refusal = None

    # The holder's number and query code are checked on the status lookup, which limits
    # guesses; this page takes the PDF itself, which proves nothing about other cases.
    def __call__(self):
        upload = self.request.form.get("file")
        if self.request.method == "POST" and hasattr(upload, "read"):
            try:
                data = upload.read(MAX_PDF + 1)
                if len(data) > MAX_PDF:
                    raise BadInput(
                        _("error_verify_too_large", default="The file is larger than 10 MiB."),
                        code="too_large",
                        status=413,
                    )
                self.result = verify_decision(data)
            except ApprovalError as refused:
                self.refusal = refused.translated(self.request)
                self.request.response.setStatus(refused.status)
        return self.index()

    def signer(self):
        """The signer's certificate subject, if the PDF names one."""
        return (self.result or {}).get("signer", {}).get("subject")
