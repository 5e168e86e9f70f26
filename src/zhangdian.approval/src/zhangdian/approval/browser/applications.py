"""Views of applications: the case page, the approver's queue and the public status lookup."""

from plone import api
from plone.memoize.view import memoize
from plone.protect import CheckAuthenticator as checkCSRF
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import urlencode
from zExceptions import BadRequest
from zExceptions import NotFound
from zhangdian.approval import _
from zhangdian.approval.accounts.names import person_label
from zhangdian.approval.audit.actions import action_title
from zhangdian.approval.audit.journal import record_oversight_read
from zhangdian.approval.body import bad_field
from zhangdian.approval.body import is_utf8
from zhangdian.approval.body import whole_number
from zhangdian.approval.browser.dates import bureau_date
from zhangdian.approval.browser.dates import bureau_time
from zhangdian.approval.casework.decisions import DECISIONS
from zhangdian.approval.casework.lookup_limit import TooManyLookups
from zhangdian.approval.casework.lookup_limit import limited_holder
from zhangdian.approval.casework.lookup_limit import limited_status
from zhangdian.approval.casework.public import DOCUMENT_VIEW
from zhangdian.approval.casework.public import application_for_holder
from zhangdian.approval.casework.public import public_url
from zhangdian.approval.casework.queue import applications_for_queue
from zhangdian.approval.casework.queue import approver_statistics
from zhangdian.approval.casework.verification import verify_url
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.content.application import REVIEW_FIELDS
from zhangdian.approval.content.application import IApplication
from zhangdian.approval.documents.decision_document import TITLES
from zhangdian.approval.errors import BadInput
from zhangdian.approval.roster.queries import is_authorized_somewhere
from zhangdian.approval.rules.application import OPEN_STATES
from zhangdian.approval.rules.application import checklist_problems
from zhangdian.approval.rules.application import may_act
from zhangdian.approval.rules.deadlines import deadline_status
from zhangdian.approval.settings import signing_setting
from zhangdian.approval.signing.decision import SignatureRefused
from zhangdian.approval.signing.decision import sign_with_server_token
from zhangdian.approval.signing.public_verify import verify_decision
from zhangdian.approval.signing.routes import is_offered
from zope.component import getMultiAdapter
from zope.event import notify
from zope.i18n import translate
from zope.lifecycleevent import Attributes
from zope.lifecycleevent import ObjectModifiedEvent

import transaction


# Transitions whose form needs a text: the one-time notice or the refusal reason.
NEEDS_TEXT = ("request_supplement", "refuse")


def deadline_css(status):
    """The Bootstrap class that makes overdue and due-soon cases stand out."""
    return {
        "overdue": "text-bg-danger",
        "due_soon": "text-bg-warning",
        "paused": "text-bg-secondary",
        "on_time": "text-bg-success",
    }.get(status, "text-bg-light")


class ApplicationView(BrowserView):
    """One application: applicant, materials, clock, notices, checklist and actions."""

    def __call__(self):
        record_oversight_read(self.context, self.request)
        return super().__call__()

    def state(self):
        """The workflow state id."""
        return api.content.get_state(self.context)

    def matter(self):
        """The matter applied for."""
        return self.context.matter_object()

    def decided_at(self):
        """When the case was decided, in Beijing time."""
        return bureau_time(self.context.decided_at)

    def decided_by(self):
        """Who decided the case, by name and id."""
        return person_label(self.context.decided_by)

    def day(self, value):
        """A day or moment as its Beijing date."""
        return bureau_date(value)

    def decision_document_url(self):
        """The address the decision PDF is downloaded from."""
        return public_url(DOCUMENT_VIEW, self.context, with_code=True)

    def may_export_evidence(self):
        """Whether the evidence bundle is the reader's (auditors, supervisors, administrators)."""
        return bool(
            api.user.has_permission("zhangdian.approval: View Audit Journal", obj=self.context)
        )

    def deadline(self):
        """The deadline status id and its badge class."""
        status = deadline_status(self.context)
        return {"status": status, "css": deadline_css(status)}

    def materials(self):
        """The submitted files, each with the line of the materials table it answers."""
        return [material_file(item) for item in self.context.objectValues()]

    def checklist(self):
        """Each required material, ticked or not, with the files handed in for it beside it."""
        matter = self.matter()
        checked = set(self.context.checked_materials or ())
        files = self.materials()
        rows = [
            {
                "label": row["name"],
                "done": row["name"] in checked,
                "required": row.get("required"),
                "files": [item for item in files if item["material"] == row["name"]],
            }
            for row in (matter.materials or [] if matter else [])
        ]
        named = {row["label"] for row in rows}
        others = [item for item in files if item["material"] not in named]
        if others:
            # Files that answer no line of the table (the matter's table changed since).
            rows.append({"label": None, "done": None, "required": False, "files": others})
        return rows

    def checklist_problems(self):
        """What still blocks a decision."""
        return checklist_problems(self.context) if self.state() == "accepted" else []

    def _available(self):
        workflow = api.portal.get_tool("portal_workflow")
        return workflow.getTransitionsFor(self.context)

    def transitions(self):
        """The non-decision transitions the user may fire, with whether a text is required."""
        return [
            {"id": t["id"], "title": t["title"], "needs_text": t["id"] in NEEDS_TEXT}
            for t in self._available()
            if t["id"] not in DECISIONS
        ]

    def decisions(self):
        """The decisions (approve, refuse) the user may sign now."""
        return [
            {"id": t["id"], "title": t["title"], "document": TITLES[DECISIONS[t["id"]]]}
            for t in self._available()
            if t["id"] in DECISIONS
        ]

    def signing(self):
        """How this approver can sign here: agent address, the routes they have, a timestamp."""
        bound = self._bound_certificate()
        return {
            "agent_url": signing_setting("agent_url"),
            "agent": bound and is_offered("agent"),
            "server": bound and is_offered("server"),
            "bound": bound,
            "timestamped": bool(signing_setting("timestamp_url")),
        }

    def _bound_certificate(self):
        """True when the authorisation the user decides under has a signing certificate bound."""
        verdict = may_act(api.user.get_current().getId(), self.context)
        authorization = verdict.authorization
        return bool(authorization is not None and authorization.certificate_fingerprint)

    # Set by SignDecisionForm when a decision was refused: the page is shown again with them.
    decision_errors = ()

    def typed(self, name):
        """What the user typed into field `name` of the decision form (kept after an error)."""
        return str(self.request.form.get(name, "") or "") if self.decision_errors else ""

    def signature(self):
        """The recorded signature of a decided application, or None."""
        return self.context.signature

    def can_review(self):
        """True when the user may tick the checklist (the accepting approver)."""
        return (
            bool(
                api.user.has_permission("zhangdian.approval: Decide Application", obj=self.context)
            )
            and self.state() == "accepted"
        )

    def can_add_material(self):
        """True when the user may hand in another file."""
        return bool(
            api.user.has_permission("zhangdian.approval: Add SubmittedMaterial", obj=self.context)
        )

    def is_owner(self):
        """True for the applicant, who is shown the query code."""
        return "Owner" in api.user.get_roles(obj=self.context)

    def history(self):
        """The workflow history, oldest first."""
        workflow = api.portal.get_tool("portal_workflow")
        history = workflow.getInfoFor(self.context, "review_history", []) or []
        return [
            {
                "action": action_title(f"application.{entry['action']}"),
                "actor": person_label(entry.get("actor")),
                "time": bureau_time(entry.get("time")),
                "comments": entry.get("comments"),
            }
            for entry in history
            if entry.get("action")
        ]


def material_file(item):
    """A submitted file: its line, download and preview addresses, and how it can be previewed."""
    blob = item.file
    content_type = (blob.contentType or "") if blob else ""
    preview = "pdf" if content_type == "application/pdf" else None
    if content_type in ("image/png", "image/jpeg", "image/gif", "image/webp"):
        preview = "image"
    return {
        "material": item.material,
        "url": f"{item.absolute_url()}/@@download/file",
        "inline_url": f"{item.absolute_url()}/@@display-file/file",
        "preview": preview,
        "filename": blob.filename if blob else "",
        "size_kb": round(blob.getSize() / 1024, 1) if blob else 0,
    }


def application_row(application):
    """One application as a row of a list: number, matter, applicant, state, deadline."""
    status = deadline_status(application)
    matter = application.matter_object()
    state = api.content.get_state(application)
    workflow = api.portal.get_tool("portal_workflow")
    return {
        "url": application.absolute_url(),
        "number": application.number,
        "matter": matter.title if matter else application.matter,
        "matter_code": application.matter,
        "applicant": application.applicant_name,
        "state": state,
        "state_title": workflow.getTitleForStateOnType(state, "Application"),
        "due": bureau_date(application.due_date),
        "deadline": status,
        "css": deadline_css(status),
    }


class PagedRows:
    """Pages of `page_size` rows addressed by the request's b_start."""

    page_size = 50

    def start(self):
        """The index of this page's first row (b_start, 0 when missing or bad)."""
        return whole_number(self.request.form.get("b_start", 0), least=0) or 0

    def neighbours(self, total):
        """b_start of the previous and the next page (None where there is none)."""
        start = self.start()
        return {
            "newer": max(start - self.page_size, 0) if start > 0 else None,
            "older": start + self.page_size if start + self.page_size < total else None,
        }


class ApprovalQueueView(PagedRows, BrowserView):
    """The approver's queue: applications they may act on now, due date first."""

    states = OPEN_STATES
    table_macros = ViewPageTemplateFile("templates/application_table.pt")

    def userid(self):
        """The current user's id."""
        return api.user.get_current().getId()

    def authorized(self):
        """True when the user holds a current authorisation."""
        return is_authorized_somewhere(self.userid())

    def selected_state(self):
        """The state filter, if a valid one is given."""
        state = self.request.form.get("review_state")
        return state if state in OPEN_STATES else None

    def selected_matter(self):
        """The matter code filter."""
        return str(self.request.form.get("matter", "") or "").strip().upper() or None

    @memoize
    def applications(self):
        """Everything in the queue under the filters, due first."""
        states = [self.selected_state()] if self.selected_state() else OPEN_STATES
        return applications_for_queue(
            self.userid(), states=states, matter_code=self.selected_matter()
        )

    def items(self):
        """Rows of this page of the queue."""
        page = self.applications()[self.start() : self.start() + self.page_size]
        return [application_row(application) for application in page]

    def pages(self):
        """Query strings of the previous and the next page (None where there is none)."""
        filters = {"review_state": self.selected_state(), "matter": self.selected_matter()}
        filters = {key: value for key, value in filters.items() if value}
        return {
            side: urlencode({**filters, "b_start": start}) if start is not None else None
            for side, start in self.neighbours(len(self.applications())).items()
        }

    def statistics(self):
        """Decided today / this month and the on-time rate."""
        stats = approver_statistics(self.userid())
        rate = stats["on_time_rate"]
        stats["on_time_percent"] = f"{rate * 100:.1f} %" if rate is not None else "—"
        return stats

    def due_soon(self):
        """Rows of the cases in the queue that are overdue or due soon, most pressing first."""
        return [
            application_row(application)
            for application in self.applications()
            if deadline_status(application) in ("overdue", "due_soon")
        ]

    def desk(self):
        """What 我的待办 shows, as data: cases per state, today's figures, what is due soon."""
        counts = dict.fromkeys(OPEN_STATES, 0)
        for application in self.applications():
            counts[api.content.get_state(application)] += 1
        return {
            "authorized": self.authorized(),
            "counts": counts,
            "statistics": approver_statistics(self.userid()),
            "due_soon": self.due_soon(),
        }

    def today(self):
        """The bureau's calendar day."""
        return bureau_date(bureau_day())


def holder_key(request):
    """The (number, query code) the request gives, upper-cased; blanks when missing."""
    number = str(request.form.get("number", "") or "").strip().upper()
    code = str(request.form.get("code", "") or "").strip().upper()
    return number, code


class ApplicationStatusView(BrowserView):
    """Public lookup of an application's status by number and query code."""

    refusal = None

    def status(self):
        """The status when both were given and match; None otherwise (`refusal` says why)."""
        number, code = holder_key(self.request)
        if not (number and code):
            return None
        try:
            return limited_status(self.request, number, code)
        except TooManyLookups as refused:
            self.refusal = translate(refused.message, context=self.request)
            self.request.response.setStatus(refused.status)
            for name, value in refused.headers.items():
                self.request.response.setHeader(name, value)
            return None

    def asked(self):
        """True when both were given (a number alone, as older QR codes carry, only fills in)."""
        return all(holder_key(self.request))

    def verify_link(self):
        """The verification address of the looked-up decision (what its QR code encodes)."""
        application = application_for_holder(*holder_key(self.request))
        if application is None or application.decision is None:
            return None
        return verify_url(application, application.decision)

    def verification(self, status):
        """The signature check of the decision the holder looked up (signer, trust anchor)."""
        if not status or not status.get("decision_document"):
            return None
        number, code = holder_key(self.request)
        application = application_for_holder(number, code)
        if application is None or application.decision_document is None:
            return None
        return verify_decision(application.decision_document.data)


class DecisionDocumentView(BrowserView):
    """The decision PDF for whoever holds the number and the query code."""

    def __call__(self):
        number, code = holder_key(self.request)
        response = self.request.response
        try:
            application = limited_holder(self.request, number, code) if number and code else None
        except TooManyLookups as refused:
            response.setStatus(refused.status)
            for name, value in refused.headers.items():
                response.setHeader(name, value)
            response.setHeader("Content-Type", "text/plain; charset=utf-8")
            return refused.translated(self.request)
        document = application.decision_document if application is not None else None
        if document is None:
            raise NotFound(self.context, "decision-document", self.request)
        response.setHeader("Content-Type", "application/pdf")
        response.setHeader("Content-Disposition", f'attachment; filename="{document.filename}"')
        response.setHeader("Content-Length", str(document.getSize()))
        response.setHeader("X-Content-Type-Options", "nosniff")
        return document.data


class SignDecisionForm(BrowserView):
    """POST target of the decision form's server-token button: sign with the PIN given."""

    def __call__(self):
        request = self.request
        if request.method != "POST":
            raise BadRequest("POST only")
        checkCSRF(request)
        form = request.form
        url = self.context.absolute_url()
        try:
            values = [str(form.get(name, "")) for name in ("transition", "reason", "pin")]
            for name, value in zip(("transition", "reason", "pin"), values, strict=True):
                # Zope keeps bytes that are not UTF-8 as lone surrogates: refuse them before
                # signing (the journal cannot record them).
                if not value.isascii() and not is_utf8(value):
                    raise bad_field(name)
            sign_with_server_token(self.context, *values, commit=True)
        except (SignatureRefused, BadInput) as refused:
            # Nothing of the attempt may be committed; the page comes back with what was typed.
            transaction.doom()
            page = getMultiAdapter((self.context, request), name="view")
            page.decision_errors = [translate(m, context=request) for m in refused.messages]
            return page()
        api.portal.show_message(
            translate(
                _("msg_decision_signed", default="The decision was signed and recorded."),
                context=request,
            ),
            request,
        )
        return request.response.redirect(url)


class ApplicationsListingView(PagedRows, BrowserView):
    """The applications folder: what the user may see (an applicant: their own), newest first."""

    table_macros = ViewPageTemplateFile("templates/application_table.pt")

    @memoize
    def brains(self):
        """The applications the catalog lets the user see, newest first."""
        return api.content.find(
            context=self.context,
            portal_type="Application",
            sort_on="created",
            sort_order="descending",
        )

    def items(self):
        """Rows of this page."""
        page = self.brains()[self.start() : self.start() + self.page_size]
        return [application_row(brain.getObject()) for brain in page]

    def pages(self):
        """b_start of the newer and the older page (None where there is none)."""
        return self.neighbours(len(self.brains()))

    def can_add(self):
        """True when the user may submit an application here."""
        return bool(
            api.user.has_permission("zhangdian.approval: Add Application", obj=self.context)
        )


class ReviewChecklistForm(BrowserView):
    """POST from the review screen: the accepting approver ticks the checklist beside the files."""

    def __call__(self):
        request = self.request
        if request.method != "POST":
            raise BadRequest("POST only")
        checkCSRF(request)
        application = self.context
        verdict = may_act(api.user.get_current().getId(), application)
        url = f"{application.absolute_url()}#zd-checklist"
        if api.content.get_state(application) != "accepted" or not verdict.allowed:
            message = verdict.message if not verdict.allowed else REVIEW_CLOSED
            api.portal.show_message(translate(message, context=request), request, "error")
            return request.response.redirect(url)
        matter = application.matter_object()
        names = [row["name"] for row in (matter.materials or [] if matter else [])]
        ticked = request.form.get("checked_materials", [])
        ticked = [ticked] if isinstance(ticked, str) else list(ticked)
        application.checked_materials = [name for name in names if name in ticked]
        application.legal_basis_confirmed = bool(request.form.get("legal_basis_confirmed"))
        application.conditions_confirmed = bool(request.form.get("conditions_confirmed"))
        notify(ObjectModifiedEvent(application, Attributes(IApplication, *REVIEW_FIELDS)))
        application.reindexObject()
        api.portal.show_message(
            translate(
                _("msg_checklist_saved", default="The review checklist was saved."),
                context=request,
            ),
            request,
        )
        return request.response.redirect(url)


REVIEW_CLOSED = _(
    "refuse_checklist_closed",
    default="The checklist can be ticked only while the case is accepted and being reviewed.",
)
