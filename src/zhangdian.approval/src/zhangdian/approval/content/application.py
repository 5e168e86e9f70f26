"""An application (办件): one applicant asking for one matter, decided by one approver."""

from plone import api
from plone.app.content.interfaces import INameFromTitle
from plone.autoform import directives
from plone.dexterity.content import Container
from plone.dexterity.content import Item
from plone.dexterity.interfaces import IDexterityContent
from plone.namedfile.field import NamedBlobFile
from plone.restapi.interfaces import IFieldDeserializer
from plone.schema import Email
from plone.supermodel import model
from z3c.form.browser.checkbox import CheckBoxFieldWidget
from zhangdian.approval import _
from zhangdian.approval.casework.frozen import COPY_REFUSED
from zhangdian.approval.casework.frozen import MOVE_REFUSED
from zhangdian.approval.casework.frozen import ApplicationNotCopyable
from zhangdian.approval.casework.frozen import ApplicationNotMovable
from zhangdian.approval.casework.numbering import allocate_number
from zhangdian.approval.content.matter import CodeDeserializer
from zhangdian.approval.rules.identifiers import InvalidIdentifier
from zhangdian.approval.rules.identifiers import check_applicant_identifier
from zhangdian.approval.rules.materials import MATERIAL_FILE_HELP
from zhangdian.approval.rules.materials import check_material_file
from zope import schema
from zope.component import adapter
from zope.interface import Invalid
from zope.interface import implementer
from zope.interface import invariant
from zope.publisher.interfaces.browser import IBrowserRequest
from zope.schema.interfaces import ITextLine
from zope.schema.interfaces import ValidationError

import re


EDIT_DATA = "zhangdian.approval.application.edit_data"
SUBMIT = "zhangdian.approval.application.submit"
DECIDE = "zhangdian.approval.application.decide"
REVIEW_FIELDS = ("checked_materials", "legal_basis_confirmed", "conditions_confirmed")
PHONE_PATTERN = re.compile(r"^[0-9+() -]{5,20}$")


class UnknownMatter(ValidationError):
    __doc__ = _("error_application_unknown_matter", default="There is no matter with this code.")


class MatterNotOpen(ValidationError):
    __doc__ = _(
        "error_application_matter_not_open",
        default="This matter is not accepting applications at the moment (it is not "
        "published on the matter list).",
    )


class MatterNotIndependent(ValidationError):
    """The matter is not decided by independent approval: name where it must go."""

    def doc(self):
        """The message, naming the window responsible for the matter."""
        matter = self.args[0] if self.args else None
        window = getattr(matter, "contact_window", None) or "综合受理窗口"
        return _(
            "error_application_matter_not_independent",
            default="${matter} is not decided by independent approval. Please apply for it "
            "through the regular multi-person process at ${window}.",
            mapping={"matter": getattr(matter, "title", ""), "window": window},
        )


class InvalidPhone(ValidationError):
    __doc__ = _(
        "error_application_phone",
        default="Enter a telephone number of 5 to 20 digits (spaces, +, - and brackets allowed).",
    )


def check_phone(value):
    """A telephone number a civil servant can dial back."""
    if not PHONE_PATTERN.match(value or ""):
        raise InvalidPhone(value)
    return True


def matter_open_for_applications(code):
    """The matter with this code if an application for it may be submitted; raise otherwise."""
    brains = api.content.find(portal_type="Matter", matter_code=code, unrestricted=True)
    if not brains:
        raise UnknownMatter(code)
    matter = brains[0]._unrestrictedGetObject()
    if api.content.get_state(matter) != "published":
        raise MatterNotOpen(code)
    if not matter.independent_approval:
        raise MatterNotIndependent(matter)
    return matter


class IApplicationMatterField(ITextLine):
    """Marker for the matter chosen by an application."""


@implementer(IApplicationMatterField)
class ApplicationMatterField(schema.TextLine):
    """The code of a published independent-approval matter."""

    def _validate(self, value):
        super()._validate(value)
        matter_open_for_applications(value)


@implementer(IFieldDeserializer)
@adapter(IApplicationMatterField, IDexterityContent, IBrowserRequest)
class ApplicationMatterDeserializer(CodeDeserializer):
    """Validate the matter applied for, sent over REST, exactly as the form does."""


class IApplication(model.Schema):
    """What the applicant submits and what the approver records while reviewing it."""

    directives.write_permission(matter=SUBMIT)
    matter = ApplicationMatterField(
        title=_("label_application_matter", default="Matter (code)"),
        description=_(
            # A code on the demo list (食品经营许可（新办）); the old example matched none.
            "help_application_matter_code",
            default="The code of the matter on the published list, e.g. XK-JMSS-001.",
        ),
    )

    directives.write_permission(
        applicant_kind=EDIT_DATA,
        applicant_name=EDIT_DATA,
        applicant_identifier=EDIT_DATA,
        contact_person=EDIT_DATA,
        contact_phone=EDIT_DATA,
        contact_email=EDIT_DATA,
        contact_address=EDIT_DATA,
        remarks=EDIT_DATA,
    )
    applicant_kind = schema.Choice(
        title=_("label_applicant_kind", default="Applicant is"),
        vocabulary="zhangdian.approval.applicant_kinds",
        default="company",
    )

    applicant_name = schema.TextLine(
        title=_("label_applicant_name", default="Applicant (company or person)"),
        max_length=200,
    )

    applicant_identifier = schema.TextLine(
        title=_("label_applicant_identifier", default="Unified social credit code / ID number"),
        description=_(
            "help_applicant_identifier",
            default="18 characters; the last one is a check character.",
        ),
        max_length=18,
    )

    contact_person = schema.TextLine(
        title=_("label_contact_person", default="Contact person"), max_length=100
    )

    contact_phone = schema.TextLine(
        title=_("label_contact_phone", default="Contact telephone"),
        constraint=check_phone,
    )

    contact_email = Email(
        title=_("label_contact_email", default="Contact e-mail"),
        description=_(
            "help_contact_email",
            default="Acceptance, supplement requests and the decision are sent here; "
            "without it, to the e-mail of the member who submitted online.",
        ),
        required=False,
    )

    contact_address = schema.TextLine(
        title=_("label_contact_address", default="Address"), required=False, max_length=300
    )

    remarks = schema.Text(
        title=_("label_application_remarks", default="Remarks"), required=False, max_length=2000
    )

    model.fieldset(
        "review",
        label=_("fieldset_review", default="Review checklist"),
        fields=[*list(REVIEW_FIELDS), "review_notes"],
    )
    directives.write_permission(
        checked_materials=DECIDE,
        legal_basis_confirmed=DECIDE,
        conditions_confirmed=DECIDE,
        review_notes=DECIDE,
    )
    # One box to tick per material (the default two-list widget cannot be ticked on a phone).
    directives.widget("checked_materials", CheckBoxFieldWidget)
    checked_materials = schema.List(
        title=_("label_checked_materials", default="Materials checked and complete"),
        value_type=schema.Choice(vocabulary="zhangdian.approval.application_materials"),
        required=False,
        default=[],
    )
    legal_basis_confirmed = schema.Bool(
        title=_("label_legal_basis_confirmed", default="Legal basis applies"),
        required=False,
        default=False,
    )
    conditions_confirmed = schema.Bool(
        title=_("label_conditions_confirmed", default="Acceptance conditions are met"),
        required=False,
        default=False,
    )
    review_notes = schema.Text(
        title=_("label_review_notes", default="Review notes"), required=False, max_length=5000
    )

    @invariant
    def identifier_matches_kind(data):
        """The identifier has the form and check character its kind requires."""
        kind = getattr(data, "applicant_kind", None)
        value = getattr(data, "applicant_identifier", None)
        if kind and value:
            try:
                check_applicant_identifier(kind, value)
            except InvalidIdentifier as error:
                raise Invalid(error.message) from error


class ISubmittedMaterial(model.Schema):
    """One file handed in for one line of the matter's materials table."""

    material = schema.Choice(
        title=_("label_submitted_material", default="Material"),
        vocabulary="zhangdian.approval.application_materials",
    )

    file = NamedBlobFile(
        title=_("label_submitted_file", default="File"),
        description=MATERIAL_FILE_HELP,
        constraint=check_material_file,
    )


@implementer(IApplication)
class Application(Container):
    """An application (办件); the number, deadline and decision are kept as attributes."""

    number = None
    query_code = None
    channel = "online"
    submitted_at = None
    accepted_by = None
    accepted_at = None
    due_date = None
    paused_on = None
    clock_started_on = None
    working_days_used = 0
    # The deadline a supplement was asked for after: the case resumes as late as it was.
    missed_deadline = None
    transferred_by = None
    transferred_at = None
    transfer_reason = None
    decided_by = None
    decided_at = None
    decision = None
    decision_reason = None
    decision_document = None
    signature = None
    supplement_notices = ()

    def cb_isCopyable(self):
        """Never: refused with the reason on every route (see casework.frozen)."""
        raise ApplicationNotCopyable(COPY_REFUSED, target=self.number)

    def cb_isMoveable(self):
        """Never: refused with the reason on every route (see casework.frozen)."""
        raise ApplicationNotMovable(MOVE_REFUSED, target=self.number)

    def matter_object(self):
        """The matter applied for, whoever asks (applicants cannot see draft matters)."""
        brains = api.content.find(portal_type="Matter", matter_code=self.matter, unrestricted=True)
        return brains[0]._unrestrictedGetObject() if brains else None


@implementer(ISubmittedMaterial)
class SubmittedMaterial(Item):
    """A submitted material file."""


@implementer(INameFromTitle)
@adapter(IApplication)
class ApplicationNameFromNumber:
    """Name a new application after its number (ZD-2026-000123 → zd-2026-000123)."""

    def __init__(self, context):
        self.context = context

    @property
    def title(self):
        """The number, allocated on first use."""
        return allocate_number(self.context).lower()
