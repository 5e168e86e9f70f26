"""An approver authorisation (独立审批员授权): who may decide which matters, until when."""

from plone.dexterity.content import Item
from plone.namedfile.field import NamedBlobFile
from plone.supermodel import model
from zhangdian.approval import _
from zhangdian.approval.certificates import CertificateError
from zhangdian.approval.roster.certificates import vet_certificate
from zhangdian.approval.rules.authorization import MAX_TERM
from zope import schema
from zope.interface import Invalid
from zope.interface import implementer
from zope.interface import invariant


class IApproverAuthorization(model.Schema):
    """One period of one approver's authorisation, with its scope and evidence."""

    approver = schema.TextLine(
        title=_("label_approver", default="Approver (user id)"),
    )

    scope_categories = schema.List(
        title=_("label_scope_categories", default="Authorised categories"),
        description=_(
            "help_scope_categories",
            default="Every matter of these categories is covered.",
        ),
        value_type=schema.Choice(vocabulary="zhangdian.approval.matter_categories"),
        required=False,
        default=[],
    )

    scope_matters = schema.List(
        title=_("label_scope_matters", default="Authorised single matters"),
        description=_("help_scope_matters", default="Matter codes covered one by one."),
        value_type=schema.Choice(vocabulary="zhangdian.approval.matter_codes"),
        required=False,
        default=[],
    )

    valid_from = schema.Date(title=_("label_valid_from", default="Valid from"))

    valid_until = schema.Date(
        title=_("label_valid_until", default="Valid until"),
        description=_(
            "help_valid_until",
            default="At most one year after the start (授权期限为一年，到期后重新授权).",
        ),
    )

    model.fieldset(
        "qualification",
        label=_("fieldset_qualification", default="Qualification"),
        fields=[
            "joined_department",
            "exam_date",
            "exam_score",
            "exam_certificate_no",
            "training_records",
            "last_appraisal",
        ],
    )

    joined_department = schema.Date(
        title=_("label_joined_department", default="Joined the approval department on"),
    )

    exam_date = schema.Date(title=_("label_exam_date", default="Exam date"), required=False)

    exam_score = schema.Int(
        title=_("label_exam_score", default="Exam score"), min=0, max=100, required=False
    )

    exam_certificate_no = schema.TextLine(
        title=_("label_exam_certificate_no", default="Exam certificate number"),
        required=False,
    )

    training_records = schema.Text(
        title=_("label_training_records", default="Training records"), required=False
    )

    last_appraisal = schema.Choice(
        title=_("label_last_appraisal", default="Last annual appraisal"),
        vocabulary="zhangdian.approval.appraisal_results",
        required=False,
    )

    model.fieldset(
        "signing",
        label=_("fieldset_signing", default="Signing certificate"),
        fields=["certificate"],
    )

    certificate = NamedBlobFile(
        title=_("label_certificate", default="Signing certificate (PEM or DER)"),
        description=_(
            "help_certificate",
            default="The X.509 certificate of the approver's USB key. Only the certificate "
            "is uploaded; the private key never leaves the key.",
        ),
        required=False,
    )

    @invariant
    def certificate_bindable(data):
        """The certificate is valid, from a trust anchor and not another approver's."""
        blob = getattr(data, "certificate", None)
        if blob is None:
            return
        try:
            vet_certificate(blob.data, getattr(data, "approver", None))
        except CertificateError as error:
            raise Invalid(error.messages[0]) from error

    @invariant
    def term_at_most_one_year(data):
        """valid_until is after valid_from and at most one year later."""
        check_term(getattr(data, "valid_from", None), getattr(data, "valid_until", None))


def check_term(valid_from, valid_until):
    """Raise Invalid unless the period is non-empty and at most one year long."""
    if valid_from is None or valid_until is None:
        return
    if valid_until < valid_from:
        raise Invalid(
            _("error_term_reversed", default="The authorisation must end after it starts.")
        )
    if valid_until > valid_from + MAX_TERM:
        raise Invalid(
            _(
                "error_term_too_long",
                default="An authorisation lasts at most one year: from ${start} it can run "
                "until ${latest} at the latest.",
                mapping={
                    "start": valid_from.isoformat(),
                    "latest": (valid_from + MAX_TERM).isoformat(),
                },
            )
        )


@implementer(IApproverAuthorization)
class ApproverAuthorization(Item):
    """One approver's authorisation for one period."""

    # Set when the certificate is bound (see authorizations.bind_certificate).
    certificate_fingerprint = None
    certificate_subject = None
    certificate_serial = None
    certificate_not_before = None
    certificate_not_after = None
    # The authorisation this one renews, by UID.
    predecessor = None
