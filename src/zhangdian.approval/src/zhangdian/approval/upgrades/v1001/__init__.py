"""Profile version 1001: applications (办件), their workflow and the working-day calendar."""

from zhangdian.approval.setuphandlers import create_applications_folder


PROFILE = "profile-zhangdian.approval:default"


def upgrade(setup_tool):
    """Import types, workflows, permissions, indexes, settings, control panel; add /applications."""
    steps = ("typeinfo", "workflow", "rolemap", "catalog", "plone.app.registry", "controlpanel")
    for step in steps:
        setup_tool.runImportStepFromProfile(PROFILE, step)
    portal = setup_tool.aq_parent
    create_applications_folder(portal)
    portal.portal_workflow.updateRoleMappings()
