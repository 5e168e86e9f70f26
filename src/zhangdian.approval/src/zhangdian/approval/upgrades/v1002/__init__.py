"""Profile version 1002: spot checks, call-backs, oversight roles and the decision indexes."""

from plone import api
from zhangdian.approval import logger


NEW_INDEXES = ("decided_at", "decision_sha256")


def index_decisions_and_update_security(setup_tool):
    """Fill the new indexes for existing applications, then re-apply workflow permissions."""
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(portal_type="Application")
    total = len(brains)
    for done, brain in enumerate(brains, start=1):
        # idxs limits the work to the new indexes; the metadata (decided_at) is refreshed too.
        brain._unrestrictedGetObject().reindexObject(idxs=list(NEW_INDEXES))
        if done % 500 == 0 or done == total:
            logger.info("1002: indexed %d of %d applications", done, total)
    changed = api.portal.get_tool("portal_workflow").updateRoleMappings()
    logger.info("1002: workflow permissions re-applied to %d objects", changed)
