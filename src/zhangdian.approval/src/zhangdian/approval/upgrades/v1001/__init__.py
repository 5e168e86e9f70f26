"""Profile version 1001: applications (办件), their workflow and the working-day calendar."""

from zhangdian.approval.setuphandlers import create_applications_folder

PROFILE = "profile-zhangdian.approval:default"


def upgrade(setup_tool):
    """Import the new types, workflows, permissions, indexes and calendar; add /applications."""
    for step in ("typeinfo", "workflow", "rolemap", "catalog", "plone.app.registry"):
        setup_tool.runImportStepFromProfile(PROFILE, step)
    portal = setup_tool.aq_parent
    create_applications_folder(portal)
    portal.portal_workflow.updateRoleMappings()
