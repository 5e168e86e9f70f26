"""The applications folder (办件库): every application of the bureau, not public."""

from plone.dexterity.content import Container
from plone.supermodel import model
from zhangdian.approval.casework.numbering import allocate_number
from zhangdian.approval.content.application import IApplication
from zope.interface import implementer


class IApplicationFolder(model.Schema):
    """The folder of applications, one per site at /applications."""


@implementer(IApplicationFolder)
class ApplicationFolder(Container):
    """The applications folder."""

    def _setObject(self, name, ob, *args, **kwargs):
        """Add `ob`; an application always under its number, whatever id it came with."""
        if IApplication.providedBy(ob):
            # REST's POST with an "id" and plone.api pass their own name past the chooser.
            name = allocate_number(ob).lower()
            ob.id = name
        return super()._setObject(name, ob, *args, **kwargs)
