"""The application form, opened from a matter's 在线申报 button with that matter chosen."""

from plone.dexterity.browser.add import DefaultAddForm
from plone.dexterity.browser.add import DefaultAddView
from plone.dexterity.utils import createContentInContainer
from plone.namedfile.field import NamedBlobFile
from z3c.form import field
from z3c.form.interfaces import HIDDEN_MODE
from zhangdian.approval import _
from zhangdian.approval.browser.adding import refuse_disallowed_type
from zhangdian.approval.content.application import matter_open_for_applications
from zhangdian.approval.rules.materials import MATERIAL_FILE_HELP
from zhangdian.approval.rules.materials import check_material_file
from zope.interface import Interface
from zope.interface import alsoProvides
from zope.schema.interfaces import ValidationError


# Matter codes are short (XK-JM-001); anything longer is not one.
MAX_CODE = 40
# One upload field per line of the matter's materials table: material_0, material_1, …
SLOT = "material_"


class IMaterialSlot(Interface):
    """Marker of an upload slot: its own input, which its label names (Plone's does not)."""


def material_slots(matter):
    """A file field per material line, titled with its name, required where the list says."""
    slots = []
    for position, row in enumerate(matter.materials or []):
        slot = NamedBlobFile(
            title=row["name"],
            description=MATERIAL_FILE_HELP,
            required=bool(row.get("required")),
            constraint=check_material_file,
        )
        slot.__name__ = f"{SLOT}{position}"
        alsoProvides(slot, IMaterialSlot)
        slots.append(slot)
    return slots


class ApplicationAddForm(DefaultAddForm):
    """Dexterity's add form; `?matter=CODE` chooses the matter and lists its materials.

    Plone ignores GET values on forms (its 2016 hotfix against prefilled forms from other
    sites); only the code is taken, and it is validated again when the form is saved.
    """

    matter = None

    def chosen_code(self):
        """The code from the matter page's link (GET) or from the form being sent (POST)."""
        form = self.request.form
        code = form.get("form.widgets.matter") if self.request.method == "POST" else None
        code = code or form.get("matter")
        return code.strip().upper()[:MAX_CODE] if isinstance(code, str) else None

    def update(self):
        code = self.chosen_code()
        if code:
            try:
                self.matter = matter_open_for_applications(code)
            except ValidationError:
                # The matter field says why when the form is sent; no slots without a matter.
                self.matter = None
        refuse_disallowed_type(self)
        super().update()

    def updateFields(self):
        super().updateFields()
        if self.matter is not None:
            self.fields += field.Fields(*material_slots(self.matter))

    def updateWidgets(self, prefix=None):
        super().updateWidgets(prefix)
        if self.matter is None or "matter" not in self.widgets:
            return
        widget = self.widgets["matter"]
        # Chosen on the matter page: carried along, never typed.
        widget.mode = HIDDEN_MODE
        if self.request.method == "GET":
            widget.value = self.matter.code

    @property
    def label(self):
        if self.matter is None:
            return super().label
        return _(
            "heading_apply_for_matter",
            default="Apply for ${matter} (${code})",
            mapping={"matter": self.matter.title, "code": self.matter.code},
        )

    def createAndAdd(self, data):
        """Register the application, then each uploaded file as the material of its line."""
        uploads = {name: data.pop(name) for name in list(data) if name.startswith(SLOT)}
        application = super().createAndAdd(data)
        if application is None or self.matter is None:
            return application
        added = self.container[application.getId()]
        for position, row in enumerate(self.matter.materials or []):
            upload = uploads.get(f"{SLOT}{position}")
            if upload is not None:
                createContentInContainer(
                    added,
                    "SubmittedMaterial",
                    checkConstraints=True,
                    title=row["name"],
                    material=row["name"],
                    file=upload,
                )
        return application


class ApplicationAddView(DefaultAddView):
    """++add++Application with the form above."""

    form = ApplicationAddForm
