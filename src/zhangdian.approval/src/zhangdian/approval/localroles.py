"""Grant IndependentApprover on an application to the approvers who may act on it now.

Computed at access time from `applications.may_act`, so a suspension, revocation or the
end of an authorisation period takes effect at once; the role exists nowhere else.
"""

from borg.localrole.interfaces import ILocalRoleProvider
from zhangdian.approval.casework.security import ROLE
from zhangdian.approval.casework.security import cached_may_act
from zhangdian.approval.casework.security import covering_approvers
from zhangdian.approval.content.application import IApplication
from zope.component import adapter
from zope.interface import implementer


@implementer(ILocalRoleProvider)
@adapter(IApplication)
class IndependentApproverRoles:
    """The IndependentApprover local role, derived from the current authorisations."""

    def __init__(self, context):
        self.context = context

    def getRoles(self, principal_id):
        """IndependentApprover when the principal may act on this application now."""
        if cached_may_act(principal_id, self.context).allowed:
            return (ROLE,)
        return ()

    def getAllRoles(self):
        """Every approver who may act now, for the catalog's security index."""
        for userid in covering_approvers(self.context):
            yield userid, (ROLE,)
