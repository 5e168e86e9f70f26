"""GET @signing-proposals: the signing-settings changes waiting for a second person."""

from plone.restapi.services import Service
from zhangdian.approval.settings_changes import pending_proposals


class SigningProposalsGet(Service):
    """The pending proposals, oldest first."""

    def reply(self):
        """{"items": [proposal, …]}."""
        return {"items": pending_proposals()}
