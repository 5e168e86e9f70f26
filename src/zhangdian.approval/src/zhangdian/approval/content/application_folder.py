"""The applications folder (办件库): every application of the bureau, not public."""

from plone.dexterity.content import Container
from plone.supermodel import model
from zope.interface import implementer


class IApplicationFolder(model.Schema):
    """The folder of applications, one per site at /applications."""


@implementer(IApplicationFolder)
class ApplicationFolder(Container):
    """The applications folder."""
