"""The public front page (政务服务首页) and the decision verification page (决定书验证)."""

from Products.Five.browser import BrowserView
from zhangdian.approval import _
from zhangdian.approval.browser.bureau import CONTACT
from zhangdian.approval.casework.decisions import BUREAU_NAME
from zhangdian.approval.casework.figures import month_figures
from zhangdian.approval.casework.lookup_limit import limited_lookup
from zhangdian.approval.casework.public import published_matters
from zhangdian.approval.casework.verification import decided_application
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.content.matter_category import IMatterCategory
from zhangdian.approval.errors import ApprovalError
from zhangdian.approval.errors import BadInput
from zhangdian.approval.setuphandlers import APPLICATIONS_ID
from zhangdian.approval.setuphandlers import MATTER_LIST_ID
from zhangdian.approval.signing.public_verify import MAX_PDF
from zhangdian.approval.signing.public_verify import verify_decision

import hashlib


DECISION_TITLES = {
    "approved": _("decision_approved", default="Approved"),
    "refused": _("decision_refused", default="Refused"),
}


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
    """Anyone uploads a decision PDF, or opens its QR code, and sees what it proves."""

    result = None
    refusal = None
    application = None

    def __call__(self):
        upload = self.request.form.get("file")
        try:
            if self.request.method == "POST" and hasattr(upload, "read"):
                self.result = verify_decision(self._read(upload))
            elif self.scanned():
                self._verify_scanned()
        except ApprovalError as refused:
            self.refusal = refused.translated(self.request)
            self.request.response.setStatus(refused.status)
            for name, value in getattr(refused, "headers", {}).items():
                self.request.response.setHeader(name, value)
        return self.index()

    def _read(self, upload):
        data = upload.read(MAX_PDF + 1)
        if len(data) > MAX_PDF:
            raise BadInput(
                _("error_verify_too_large", default="The file is larger than 10 MiB."),
                code="too_large",
                status=413,
            )
        return data

    def scanned(self):
        """The (number, token) of a QR code's address; None when the page was opened plainly."""
        form = self.request.form
        number, token = str(form.get("number") or "").strip(), str(form.get("token") or "")
        return (number.upper()[:40], token.strip().lower()[:64]) if number or token else None

    def _verify_scanned(self):
        """The stored decision the QR names, checked; a wrong token counts as a failed lookup."""
        number, token = self.scanned()
        self.application = limited_lookup(self.request, decided_application, number, token)
        if self.application is None:
            raise BadInput(
                _(
                    "error_verify_token",
                    default="This verification code matches no decision of the bureau: the QR "
                    "code is damaged or has been altered. Upload the decision PDF to check it.",
                ),
                code="unknown_token",
                status=404,
            )
        self.result = verify_decision(self.application.decision_document.data)

    def decision(self):
        """What the record says of the scanned decision: number, matter, outcome, date, state."""
        application = self.application
        if application is None:
            return None
        matter = application.matter_object()
        return {
            "number": application.number,
            "matter": matter.title if matter else application.matter,
            "decision": DECISION_TITLES.get(application.decision, application.decision),
            "decided_on": bureau_day(application.decided_at).isoformat(),
            "sha256": hashlib.sha256(application.decision_document.data).hexdigest(),
        }

    def signer(self):
        """The signer's certificate subject, if the PDF names one."""
        return (self.result or {}).get("signer", {}).get("subject")
