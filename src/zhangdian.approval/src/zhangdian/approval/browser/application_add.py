"""The application form, opened from a matter's 在线申报 button with that matter chosen."""

from plone.dexterity.browser.add import DefaultAddForm
from plone.dexterity.browser.add import DefaultAddView


# Matter codes are short (XK-JM-001); anything longer is not one.
MAX_CODE = 40


class ApplicationAddForm(DefaultAddForm):
    """Dexterity's add form; `?matter=CODE` fills in the matter and nothing else.

    Plone ignores GET values on forms (its 2016 hotfix against prefilled forms from other
    sites); only the code is taken, and it is validated again when the form is saved.
    """

    def updateWidgets(self, prefix=None):
        super().updateWidgets(prefix)
        code = self.request.form.get("matter")
        if self.request.method == "GET" and isinstance(code, str) and "matter" in self.widgets:
            self.widgets["matter"].value = code.strip().upper()[:MAX_CODE]


class ApplicationAddView(DefaultAddView):
    """++add++Application with the form above."""

    form = ApplicationAddForm
