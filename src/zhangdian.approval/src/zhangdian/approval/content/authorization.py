"""An approver authorisation (独立审批员授权): who may decide which matters, until when."""

from plone import api
from plone.autoform import directives
from plone.dexterity.content import Item
from plone.namedfile.field import NamedBlobFile
from plone.supermodel import model
from zhangdian.approval import _
from zhangdian.approval.browser.widgets import PersonPickerFieldWidget
from zhangdian.approval.certificates import CertificateError
from zhangdian.approval.errors import Refused
from zhangdian.approval.roster.certificates import vet_certificate
from zhangdian.approval.rules.authorization import MAX_TERM
from zhangdian.approval.rules.authorization import RECORDED_FIELDS
from zhangdian.approval.rules.authorization import change_problem
from zhangdian.approval.rules.authorization import may_create
from zhangdian.approval.rules.authorization import recorded_terms
from zope import schema
from zope.interface import Invalid
from zope.interface import implementer
from zope.interface import invariant


class IApproverAuthorization(model.Schema):
    """One period of one approver's authorisation, with its scope and evidence."""

    # A person picker over the site's accounts; the stored value is the user id.
    directives.widget("approver", PersonPickerFieldWidget)
    approver = schema.Choice(
        title=_("label_approver_person", default="Approver"),
        description=_(
            "help_approver_person",
            default="The civil servant's own user account (search by name).",
        ),
        vocabulary="zhangdian.approval.user_accounts",
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

    # The qualification evidence grouped as the plan lists it: post, exam, training and appraisal.
    model.fieldset(
        "employment",
        label=_("fieldset_employment", default="Employment"),
        fields=[
            "joined_department",
            "established_post",
            "enforcement_certificate_no",
            "enforcement_certificate_expiry",
        ],
    )
    model.fieldset(
        "exam",
        label=_("fieldset_exam", default="Exam"),
        fields=["exam_date", "exam_score", "exam_certificate_no"],
    )
    model.fieldset(
        "training",
        label=_("fieldset_training", default="Training and appraisal"),
        fields=["training_records", "last_training_date", "last_appraisal"],
    )

    joined_department = schema.Date(
        title=_("label_joined_department", default="Joined the approval department on"),
    )

    established_post = schema.Bool(
        title=_("label_established_post", default="Established post, in service (在编在职)"),
        required=False,
        default=False,
    )

    enforcement_certificate_no = schema.TextLine(
        title=_(
            "label_enforcement_certificate_no",
            default="Administrative law-enforcement certificate number (行政执法证号)",
        ),
        required=False,
    )

    enforcement_certificate_expiry = schema.Date(
        title=_(
            "label_enforcement_certificate_expiry",
            default="Law-enforcement certificate valid until",
        ),
        description=_(
            "help_enforcement_certificate_expiry",
            default="Once it has expired the authorisation no longer counts, as after its end "
            "date.",
        ),
        required=False,
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

    last_training_date = schema.Date(
        title=_("label_last_training_date", default="Date of the latest training"),
        description=_(
            "help_last_training_date",
            default="Regular training (定期参加业务培训): the latest recorded training must lie "
            "within the period the qualification settings give (12 months by default).",
        ),
        required=False,
    )

    last_appraisal = schema.Choice(
        title=_("label_last_appraisal", default="Latest appraisal (日常考核)"),
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
    def approver_is_someone_else(data):
        """The approver is a user account other than the one filling in the form."""
        approver = getattr(data, "approver", None)
        if approver is None:
            return
        verdict = may_create(api.user.get_current().getId(), approver)
        if not verdict.allowed:
            raise Invalid(verdict.message)

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


# What binding a certificate records on the authorisation (roster/certificates.py).
CERTIFICATE_FIELDS = (
    "certificate_subject",
    "certificate_serial",
    "certificate_fingerprint",
    "certificate_not_before",
    "certificate_not_after",
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
    # Maker and checker of the grant (four eyes), set by the workflow's transitions.
    proposed_by = None
    proposed_at = None
    granted_by = None
    granted_at = None
    # The recorded fields as created and last accepted (see rules.authorization.change_problem).
    terms_of_record = None

    def manage_changeProperties(self, REQUEST=None, **kw):
        """The ZMI properties form: the recorded fields obey the same rule as every edit."""
        props = dict(REQUEST if isinstance(REQUEST, dict) else getattr(REQUEST, "form", {}) or {})
        props.update(kw)
        named = {name: props[name] for name in RECORDED_FIELDS if name in props}
        if named:
            before = recorded_terms(self)
            verdict = change_problem(
                api.user.get_current().getId(), self, before, {**before, **named}
            )
            code = verdict.reason if not verdict.allowed else "not_a_property"
            raise AuthorizationRefused(
                verdict.message if not verdict.allowed else NOT_A_PROPERTY, code=code
            )
        return super().manage_changeProperties(REQUEST, **kw)


NOT_A_PROPERTY = _(
    "refuse_authorization_not_a_property",
    default="The fields of an authorisation are changed through its edit form or the REST "
    "API, where the roster's rules apply, not as ZMI properties.",
)


class AuthorizationRefused(Refused):
    """A rule of the roster (four eyes, dedicated accounts, frozen fields) refused a change."""

    status = 403

    def __init__(self, *messages, code=None, status=None):
        """Also AuthorizationRefused(refusal): the workflow tool re-raises an error that way."""
        if len(messages) == 1 and isinstance(messages[0], AuthorizationRefused):
            refusal = messages[0]
            messages, code, status = refusal.messages, refusal.code, refusal.status
        super().__init__(*messages, code=code, status=status)
