"""Profile version 1004: a decided or withdrawn application is frozen on every route."""

from plone import api
from zhangdian.approval import logger


WORKFLOW_ID = "application_workflow"


def freeze_decided_applications(setup_tool):
    """Re-apply the application workflow's permission maps to every application."""
    workflow = api.portal.get_tool("portal_workflow")[WORKFLOW_ID]
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(portal_type="Application")
    total = len(brains)
    changed = 0
    for done, brain in enumerate(brains, start=1):
        application = brain._unrestrictedGetObject()
        if workflow.updateRoleMappingsFor(application):
            changed += 1
            # View and Access contents information are unchanged, but keep the index honest.
            application.reindexObject(idxs=["allowedRolesAndUsers"])
        if done % 500 == 0 or done == total:
            logger.info("1004: permissions re-applied to %d of %d applications", done, total)
    logger.info("1004: %d applications changed", changed)
