"""The matter list (事项清单): one per site, public."""

from plone.dexterity.content import Container
from plone.supermodel import model
from zope.interface import implementer


class IMatterList(model.Schema):
    """The list of matters eligible for independent approval."""


@implementer(IMatterList)
class MatterList(Container):
    """The matter list (事项清单)."""
