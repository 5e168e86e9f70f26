"""An approval matter (审批事项) and the rules every matter obeys."""

from collective.z3cform.datagridfield.datagridfield import DataGridFieldFactory
from collective.z3cform.datagridfield.row import DictRow
from plone import api
from plone.app.content.interfaces import INameFromTitle
from plone.autoform import directives
from plone.dexterity.content import Item
from plone.dexterity.interfaces import IDexterityContent
from plone.restapi.deserializer.dxfields import DefaultFieldDeserializer
from plone.restapi.interfaces import IFieldDeserializer
from plone.supermodel import model
from plone.uuid.interfaces import IUUID
from zhangdian.approval import _
from zope import schema
from zope.component import adapter
from zope.globalrequest import getRequest
from zope.i18n import translate
from zope.interface import Interface
from zope.interface import Invalid
from zope.interface import implementer
from zope.interface import invariant
from zope.publisher.interfaces.browser import IBrowserRequest
from zope.schema.interfaces import ITextLine
from zope.schema.interfaces import ValidationError

import re


MATTER_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")


class InvalidMatterCode(ValidationError):
    __doc__ = _(
        "error_matter_code_format",
        default="A matter code has 4 to 40 characters: capital letters, digits and "
        "hyphens, starting with a letter or digit (e.g. XK-JM-001).",
    )


class DuplicateMatterCode(ValidationError):
    __doc__ = _(
        "error_matter_code_duplicate",
        default="Another matter already uses this code; matter codes are unique.",
    )


class PromisedExceedsStatutory(Invalid):
    """The promised time limit is longer than the statutory one."""


def find_matter_by_code(code):
    """Return the catalog brain of the matter with this code, or None."""
    brains = api.content.find(portal_type="Matter", matter_code=code, unrestricted=True)
    return brains[0] if brains else None


def check_matter_code(code, matter=None):
    """Raise a ValidationError unless `code` is well formed and unused by others."""
    if not code or not MATTER_CODE_PATTERN.match(code):
        raise InvalidMatterCode(code)
    existing = find_matter_by_code(code)
    if existing is None:
        return
    if matter is not None and IUUID(matter, None) == existing.UID:
        return
    raise DuplicateMatterCode(code)


def check_time_limits(promised_days, statutory_days):
    """Raise PromisedExceedsStatutory when promised days exceed statutory days."""
    if promised_days is None or statutory_days is None:
        return
    if promised_days > statutory_days:
        raise PromisedExceedsStatutory(
            _(
                "error_promised_exceeds_statutory",
                default="The promised time limit (${promised} working days) may not exceed "
                "the statutory time limit (${statutory} working days).",
                mapping={"promised": promised_days, "statutory": statutory_days},
            )
        )


class NotASimpleMatter(Invalid):
    """A matter flagged for independent approval that needs more than one person."""


# What makes a matter more than a simple one (简单事项): the plan keeps these off the
# one-person path, since each brings in other people or bodies.
NOT_SIMPLE_BECAUSE = {
    "needs_technical_review": _(
        "not_simple_technical_review",
        default="technical review (现场查验、考评、鉴定评审)",
    ),
    "needs_hearing": _("not_simple_hearing", default="a hearing (听证)"),
    "needs_legal_review": _(
        "not_simple_legal_review",
        default="legal review of a major decision (重大执法决定法制审核)",
    ),
}


def check_simple_matter(independent_approval, **conditions):
    """Raise NotASimpleMatter when an independent-approval matter needs any of the conditions."""
    needed = [key for key in NOT_SIMPLE_BECAUSE if conditions.get(key)]
    if not independent_approval or not needed:
        return
    request = getRequest()
    named = "、".join(translate(NOT_SIMPLE_BECAUSE[key], context=request) for key in needed)
    raise NotASimpleMatter(
        _(
            "error_not_a_simple_matter",
            default="Only a simple matter is decided by one approver alone: this one needs "
            "${conditions}. Untick independent approval, or correct the matter's conditions.",
            mapping={"conditions": named},
        )
    )


class IMatterCodeField(ITextLine):
    """Marker for the matter code field."""


@implementer(IMatterCodeField)
class MatterCodeField(schema.TextLine):
    """A matter code: validated for format and, once bound, for uniqueness."""

    def _validate(self, value):
        super()._validate(value)
        matter = self.context if IMatter.providedBy(self.context) else None
        check_matter_code(value, matter)


class CodeDeserializer(DefaultFieldDeserializer):
    """Normalise a matter code sent over REST and validate it exactly as the form does."""

    def __call__(self, value):
        if not isinstance(value, str):
            raise ValueError(f"Invalid matter code: {value!r}")
        value = value.strip().upper()
        self.field.bind(self.context).validate(value)
        return value


@implementer(IFieldDeserializer)
@adapter(IMatterCodeField, IDexterityContent, IBrowserRequest)
class MatterCodeDeserializer(CodeDeserializer):
    """Validate a matter code sent over REST against the matter being written."""


MATERIAL_FORMS = ("original", "copy", "original_and_copy")
RISK_LEVELS = ("low", "medium", "high")


class IMaterialRow(Interface):
    """One line of a matter's required materials (申请材料)."""

    name = schema.TextLine(title=_("label_material_name", default="Material"))
    form = schema.Choice(
        title=_("label_material_form", default="Original or copy"),
        vocabulary="zhangdian.approval.material_forms",
        default="original",
    )
    copies = schema.Int(title=_("label_material_copies", default="Copies"), min=1, default=1)
    required = schema.Bool(
        title=_("label_material_required", default="Required"),
        default=True,
        required=False,
    )
    notes = schema.TextLine(title=_("label_material_notes", default="Notes"), required=False)


class IProcessStepRow(Interface):
    """One step of a process shown in the flowchart."""

    step = schema.TextLine(title=_("label_step", default="Step"))
    actor = schema.TextLine(title=_("label_step_actor", default="Handled by"), required=False)
    days = schema.Int(title=_("label_step_days", default="Working days"), min=0, required=False)


class IMatter(model.Schema):
    """An approval matter (审批事项) on the matter list."""

    directives.order_before(code="IBasic.title")
    code = MatterCodeField(
        title=_("label_matter_code", default="Matter code"),
        description=_(
            "help_matter_code",
            default="Unique code of the matter (事项编码), e.g. XK-JM-001.",
        ),
    )

    legal_basis = schema.Text(
        title=_("label_legal_basis", default="Legal basis"),
        description=_(
            "help_legal_basis",
            default="The laws and regulations that establish the matter (设定依据).",
        ),
    )

    conditions = schema.Text(
        title=_("label_conditions", default="Acceptance conditions"),
        required=False,
    )

    directives.widget("materials", DataGridFieldFactory, allow_reorder=True)
    materials = schema.List(
        title=_("label_materials", default="Required materials"),
        value_type=DictRow(title="material", schema=IMaterialRow),
        required=False,
        default=[],
    )

    statutory_days = schema.Int(
        title=_("label_statutory_days", default="Statutory time limit (working days)"),
        min=0,
        max=3650,
    )

    promised_days = schema.Int(
        title=_("label_promised_days", default="Promised time limit (working days)"),
        description=_(
            "help_promised_days",
            default="0 means decided on the spot (即办). Never more than the statutory time limit.",
        ),
        min=0,
        max=3650,
        default=0,
    )

    fee = schema.TextLine(
        title=_("label_fee", default="Fee"),
        required=False,
        default="不收费",
    )

    risk_level = schema.Choice(
        title=_("label_risk_level", default="Risk level"),
        vocabulary="zhangdian.approval.risk_levels",
        default="low",
    )

    independent_approval = schema.Bool(
        title=_("label_independent_approval", default="Independent approval applies"),
        description=_(
            "help_independent_approval",
            default="Only these matters can be accepted, reviewed and decided by one "
            "authorised approver alone.",
        ),
        default=True,
        required=False,
    )

    needs_technical_review = schema.Bool(
        title=_(
            "label_needs_technical_review",
            default="Needs technical review (现场查验、考评、鉴定评审)",
        ),
        default=False,
        required=False,
    )

    needs_hearing = schema.Bool(
        title=_("label_needs_hearing", default="Needs a hearing (听证)"),
        default=False,
        required=False,
    )

    needs_legal_review = schema.Bool(
        title=_(
            "label_needs_legal_review",
            default="Needs legal review of a major decision (重大执法决定法制审核)",
        ),
        default=False,
        required=False,
    )

    contact_window = schema.TextLine(
        title=_("label_contact_window", default="Contact window"),
        required=False,
    )

    directives.widget("process_steps", DataGridFieldFactory, allow_reorder=True)
    process_steps = schema.List(
        title=_("label_process_steps", default="Process steps"),
        description=_(
            "help_process_steps",
            default="The steps of the independent-approval process, in order.",
        ),
        value_type=DictRow(title="step", schema=IProcessStepRow),
        required=False,
        default=[],
    )

    directives.widget("former_steps", DataGridFieldFactory, allow_reorder=True)
    former_steps = schema.List(
        title=_("label_former_steps", default="Former multi-step process"),
        description=_(
            "help_former_steps",
            default="Optional: the accept → review → approve chain this matter had "
            "before independent approval, with the days of each step.",
        ),
        value_type=DictRow(title="step", schema=IProcessStepRow),
        required=False,
        default=[],
    )

    @invariant
    def only_a_simple_matter_is_independent(data):
        """Independent approval only for a matter needing no review, hearing or legal check."""
        check_simple_matter(
            getattr(data, "independent_approval", False),
            **{key: getattr(data, key, False) for key in NOT_SIMPLE_BECAUSE},
        )

    @invariant
    def promised_within_statutory(data):
        """Promised days never exceed statutory days."""
        check_time_limits(
            getattr(data, "promised_days", None), getattr(data, "statutory_days", None)
        )


@implementer(IMatter)
class Matter(Item):
    """An approval matter (审批事项)."""

    @property
    def versioning_enabled(self):
        """Every change of a matter is versioned (动态调整 history); it cannot be switched off."""
        return True

    @versioning_enabled.setter
    def versioning_enabled(self, value):
        """Ignore the versioning behavior's switch for matters."""

    @property
    def on_the_spot(self):
        """True for matters decided on the spot (即办)."""
        return self.promised_days == 0

    def category(self):
        """The category (审批门类) this matter belongs to."""
        return self.aq_parent


@implementer(INameFromTitle)
@adapter(IMatter)
class MatterNameFromCode:
    """Name a new matter after its code, so its address is stable and readable."""

    def __init__(self, context):
        self.context = context

    @property
    def title(self):
        """The lower-cased matter code."""
        return (self.context.code or "").lower()
