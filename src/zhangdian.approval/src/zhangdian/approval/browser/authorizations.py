"""Views of the approver roster."""

from plone import api
from plone.app.content.browser.content_status_modify import ContentStatusModifyView
from plone.app.layout.viewlets import ViewletBase
from plone.dexterity.browser.edit import DefaultEditForm
from plone.protect import CheckAuthenticator as checkCSRF
from plone.z3cform import layout
from Products.CMFCore.WorkflowCore import WorkflowException
from Products.Five.browser import BrowserView
from Products.statusmessages.interfaces import IStatusMessage
from z3c.form.interfaces import ActionExecutionError
from zExceptions import BadRequest
from zhangdian.approval import _
from zhangdian.approval.accounts.names import person_name
from zhangdian.approval.browser.dates import bureau_date
from zhangdian.approval.browser.dates import bureau_time
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.errors import ApprovalError
from zhangdian.approval.roster.lifecycle import is_renewed
from zhangdian.approval.roster.lifecycle import renew
from zhangdian.approval.roster.queries import DASHBOARD_WINDOW_DAYS
from zhangdian.approval.roster.queries import approvers_without_current_authorization
from zhangdian.approval.roster.queries import expiring_soon
from zhangdian.approval.rules.authorization import REASONS
from zhangdian.approval.rules.authorization import RECORDED_FIELDS
from zhangdian.approval.rules.authorization import account_problem
from zhangdian.approval.rules.authorization import change_problem
from zhangdian.approval.rules.authorization import is_current
from zhangdian.approval.rules.authorization import recorded_terms
from zope.interface import Invalid

import transaction


class AuthorizationDashboard(BrowserView):
    """Authorisations ending within 30 days and approvers without a current one."""

    window = DASHBOARD_WINDOW_DAYS

    def expiring(self):
        """Rows for the authorisations that end soon, soonest first."""
        today = bureau_day()
        return [
            {
                "url": authorization.absolute_url(),
                "renewed": is_renewed(authorization),
                "approver": person_name(authorization.approver),
                "valid_until": bureau_date(authorization.valid_until),
                "days_left": (authorization.valid_until - today).days,
            }
            for authorization in expiring_soon()
        ]

    def without_authorization(self):
        """Approvers who are left without a current authorisation."""
        return [
            {"userid": userid, "name": person_name(userid)}
            for userid in approvers_without_current_authorization()
        ]

    def not_counting(self):
        """Current authorisations that do not count because of their account (mixed, a group)."""
        brains = api.content.find(
            portal_type="ApproverAuthorization", review_state="active", unrestricted=True
        )
        rows = []
        for brain in brains:
            authorization = brain._unrestrictedGetObject()
            reason = not_counting_because(authorization)
            if reason is not None:
                rows.append(
                    {
                        "url": authorization.absolute_url(),
                        "approver": person_name(authorization.approver),
                        "userid": authorization.approver,
                        "reason": reason,
                    }
                )
        return rows


class StatusModifyWithReason(ContentStatusModifyView):
    """Plone's state change form, which shows why a transition was refused.

    Our transition rules (subscribers/) refuse with a WorkflowException; Plone's
    own view would end on an error page after already setting the effective date. Here the
    transaction is doomed, so nothing is stored, and the reason is shown on the object.
    """

    # The publisher passes form values only to the parameters it sees named here: without
    # `comment`, the notice or reason typed in the form never reached the transition.
    def __call__(
        self, workflow_action=None, comment="", effective_date=None, expiration_date=None, **kwargs
    ):
        try:
            return super().__call__(
                workflow_action, comment, effective_date, expiration_date, **kwargs
            )
        except (WorkflowException, ApprovalError) as error:
            transaction.doom()
            message = (
                error.translated(self.request) if isinstance(error, ApprovalError) else str(error)
            )
            IStatusMessage(self.request).add(message, type="error")
            return self.request.response.redirect(self.context.absolute_url())


class AuthorizationEditForm(DefaultEditForm):
    """The edit form, which asks the roster's change rule before it changes anything."""

    def applyChanges(self, data):
        """Refuse, with the rule's reason, a change the roster does not allow; else apply it."""
        before = recorded_terms(self.context)
        after = {**before, **{name: data[name] for name in RECORDED_FIELDS if name in data}}
        for name in ("scope_categories", "scope_matters"):
            after[name] = sorted(after[name] or ())
        verdict = change_problem(api.user.get_current().getId(), self.context, before, after)
        if not verdict.allowed:
            raise ActionExecutionError(Invalid(verdict.message))
        return super().applyChanges(data)


AuthorizationEditView = layout.wrap_form(AuthorizationEditForm)


class RenewAuthorization(BrowserView):
    """POST: prepare the successor for the next period and open its edit form."""

    def __call__(self):
        if self.request.method != "POST":
            raise BadRequest("POST only")
        checkCSRF(self.request)
        successor = renew(self.context)
        IStatusMessage(self.request).add(
            _(
                "msg_renewal_prepared_four_eyes",
                default="The authorisation for the next period is prepared: enter this "
                "year's appraisal and training, check the certificate, save, then propose it; "
                "another member of the working group confirms the grant.",
            ),
            type="info",
        )
        return self.request.response.redirect(f"{successor.absolute_url()}/edit")


class CertificateViewlet(ViewletBase):
    """The bound signing certificate's subject, serial, fingerprint and validity."""

    def account_problem(self):
        """Why the approver's account keeps this authorisation from counting, or None."""
        return not_counting_because(self.context)

    def details(self):
        """Rows of the certificate's details; None when no certificate is bound."""
        context = self.context
        if not context.certificate_fingerprint:
            return None
        return {
            "subject": context.certificate_subject,
            "serial": context.certificate_serial,
            "fingerprint": context.certificate_fingerprint,
            "not_before": _when(context.certificate_not_before),
            "not_after": _when(context.certificate_not_after),
        }


def not_counting_because(authorization):
    """The reason a current authorisation does not count because of its account, or None."""
    if not is_current(authorization):
        return None
    reason = account_problem(authorization.approver)
    return REASONS[reason] if reason else None


def _when(moment):
    """A certificate time as the bureau reads it (Beijing time, to the minute)."""
    return bureau_time(moment) if moment else "—"
