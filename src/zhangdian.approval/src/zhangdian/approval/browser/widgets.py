"""Widgets of our forms."""

from plone.app.z3cform.widgets.select import Select2Widget
from z3c.form.browser.select import SelectWidget
from z3c.form.interfaces import NO_VALUE
from z3c.form.interfaces import IFieldWidget
from z3c.form.widget import FieldWidget
from zope.interface import implementer


class PersonPickerWidget(Select2Widget):
    """A searchable select over people; a posted value it does not offer is no value."""

    # Plone's select2 widget skips z3c.form's check of the posted token, so a user id that is
    # not a choice ended in a LookupError (500); unknown now reads as missing, and the form
    # says so.
    def extract(self, default=NO_VALUE):
        """The chosen tokens, or `default` when any of them is not offered."""
        return SelectWidget.extract(self, default)


@implementer(IFieldWidget)
def PersonPickerFieldWidget(field, request):
    """The person picker for `field`."""
    return FieldWidget(field, PersonPickerWidget(request))
