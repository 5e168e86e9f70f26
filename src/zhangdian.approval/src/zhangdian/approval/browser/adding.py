"""Our types' add forms refuse, with the 403 page, whoever may not add that type here.

Plone's add view checks only "Add portal content" at traversal; a member who has that (the
supervisor, for oversight records) but not the type's own add permission reached
`DefaultAddForm.update`, whose "Subobject type disallowed" ValueError answered 500.
"""

from plone.dexterity.browser.add import DefaultAddForm
from plone.dexterity.browser.add import DefaultAddView
from plone.dexterity.interfaces import IDexterityFTI
from plone.z3cform.interfaces import IDeferSecurityCheck
from zhangdian.approval import _
from zhangdian.approval.errors import Refused
from zope.component import getUtility


class TypeNotAddable(Refused):
    """The type may not be added here by whoever asks (its add permission is missing)."""

    code = "type_not_addable"
    status = 403


def refuse_disallowed_type(form):
    """Raise `TypeNotAddable` unless the current user may add `form.portal_type` here."""
    if IDeferSecurityCheck.providedBy(form.request):
        return
    allowed = {fti.getId() for fti in form.container.allowedContentTypes()}
    if form.portal_type not in allowed:
        title = getUtility(IDexterityFTI, name=form.portal_type).Title()
        raise TypeNotAddable(
            _(
                "refuse_type_not_addable",
                default="You may not add a ${type} here: your account does not have this "
                "task. Ask the working group if you think it should.",
                mapping={"type": title},
            )
        )


class RefusingAddForm(DefaultAddForm):
    """Dexterity's add form, refusing a disallowed type with our 403 page."""

    def update(self):
        refuse_disallowed_type(self)
        super().update()


class RefusingAddView(DefaultAddView):
    """++add++Type with the form above."""

    form = RefusingAddForm
