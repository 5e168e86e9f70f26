"""Profile version 1005 (roster): four eyes on grants; existing authorisations keep their state.

Pending authorisations stay pending (they are now proposed, then confirmed) and active ones
stay active: no state is renamed, so no authorisation changes state or permissions.
"""

from plone import api
from zhangdian.approval import logger
from zhangdian.approval.rules.authorization import recorded_terms


def record_authorization_terms(setup_tool):
    """Record each authorisation's approver, scope, term and qualification as they are now."""
    brains = api.content.find(portal_type="ApproverAuthorization", unrestricted=True)
    for brain in brains:
        authorization = brain._unrestrictedGetObject()
        if authorization.__dict__.get("terms_of_record") is None:
            authorization.terms_of_record = recorded_terms(authorization)
    logger.info("1005: fields of %d authorisations recorded", len(brains))
