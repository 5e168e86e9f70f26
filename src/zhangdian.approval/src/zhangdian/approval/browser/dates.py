"""Dates on our pages with four-digit years (the locale's short format prints 1/1/26)."""

from plone.app.z3cform.widgets.datetime import DateWidget
from z3c.form.widget import FieldWidget


class FullYearDateWidget(DateWidget):
    """Plone's date widget; its display uses the locale's medium format (2026-1-1, Jan 1, 2026)."""

    _formater_length = "medium"


def FullYearDateFieldWidget(field, request):
    """The widget for a date field."""
    return FieldWidget(field, FullYearDateWidget(request))
