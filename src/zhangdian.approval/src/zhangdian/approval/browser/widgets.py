"""Widgets of our forms."""

from html import escape
from plone.app.z3cform.widgets.select import Select2Widget
from z3c.form.browser.select import SelectWidget
from z3c.form.interfaces import DISPLAY_MODE
from z3c.form.interfaces import NO_VALUE
from z3c.form.interfaces import IFieldWidget
from z3c.form.widget import FieldWidget
from zhangdian.approval import _
from zope.interface import implementer


class PersonPickerWidget(Select2Widget):
    """A searchable select over people; a posted value it does not offer is no value."""

    # Nobody is preselected: the first account of the list must not be authorised by a
    # working-group member who only forgot to choose.
    prompt = True
    promptMessage = _("prompt_choose_person", default="Choose a person")

    # Plone's select2 widget skips z3c.form's check of the posted token, so a user id that is
    # not a choice ended in a LookupError (500); unknown now reads as missing, and the form
    # says so.
    def render(self):
        """The select2 picker to choose; the person's name as text to read."""
        # Plone's select2 display template keeps the pattern class, and the pattern, with
        # nothing to query in display mode, fails in the browser (the authorisation's view).
        if self.mode == DISPLAY_MODE:
            names = ", ".join(str(value) for value in self.displayValue)
            return f'<span id="{escape(self.id)}" class="select-widget">{escape(names)}</span>'
        return super().render()

    def extract(self, default=NO_VALUE):
        """The chosen tokens, or `default` when any of them is not offered."""
        return SelectWidget.extract(self, default)


@implementer(IFieldWidget)
def PersonPickerFieldWidget(field, request):
    """The person picker for `field`."""
    return FieldWidget(field, PersonPickerWidget(request))
