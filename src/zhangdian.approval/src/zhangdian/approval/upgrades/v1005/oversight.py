"""Profile version 1005 (oversight): findings become append-only entries, records are frozen."""

from plone import api
from zhangdian.approval import logger
from zhangdian.approval.audit import journal
from zhangdian.approval.upgrades.v1004 import freeze_decided_applications


WORKFLOW_ID = "oversight_record_workflow"


def migrate_findings(spot_check):
    """Turn the old {number: finding} dict into entries, in number order; the count moved."""
    spot_check._p_activate()
    old = spot_check.__dict__.pop("findings", None) or {}
    if not old:
        return 0
    entries = list(spot_check.entries)
    for number in sorted(old):
        # The dict kept only the last finding per case; its time was journalled, not stored.
        entries.append(
            {
                "id": len(entries) + 1,
                "number": number,
                "at": None,
                "corrects": None,
                "reason": None,
                **old[number],
            }
        )
    spot_check.entries = tuple(entries)
    spot_check._p_changed = True
    journal.record(
        "spotcheck.entries_migrated",
        target=spot_check.quarter,
        after={"entries": spot_check.entries},
        actor="upgrade-1005",
    )
    return len(old)


def append_only_oversight_records(setup_tool):
    """Migrate the findings and apply the oversight record workflow to existing records."""
    workflow = api.portal.get_tool("portal_workflow")[WORKFLOW_ID]
    catalog = api.portal.get_tool("portal_catalog")
    migrated = 0
    for brain in catalog.unrestrictedSearchResults(portal_type=["SpotCheck", "Callback"]):
        record = brain._unrestrictedGetObject()
        if brain.portal_type == "SpotCheck":
            migrated += migrate_findings(record)
        workflow.updateRoleMappingsFor(record)
        record.reindexObject(idxs=["allowedRolesAndUsers", "review_state"])
    logger.info("1005: %d findings turned into append-only entries", migrated)
    # The application workflow now also keeps Record Finding from every role when decided.
    freeze_decided_applications(setup_tool)
