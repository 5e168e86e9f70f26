"""The approver roster (独立审批员名册): holds every authorisation, not public."""

from plone.dexterity.content import Container
from plone.supermodel import model
from zope.interface import implementer


class IApproverRoster(model.Schema):
    """The folder of approver authorisations, one per site at /approvers."""


@implementer(IApproverRoster)
class ApproverRoster(Container):
    """The approver roster."""
