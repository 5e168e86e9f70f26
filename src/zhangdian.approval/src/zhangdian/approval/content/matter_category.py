"""An approval category (审批门类) inside the matter list."""

from plone.dexterity.content import Container
from plone.supermodel import model
from zope.interface import implementer


class IMatterCategory(model.Schema):
    """A category grouping matters, e.g. 经贸商事 or 社会事务."""


@implementer(IMatterCategory)
class MatterCategory(Container):
    """An approval category (审批门类)."""
