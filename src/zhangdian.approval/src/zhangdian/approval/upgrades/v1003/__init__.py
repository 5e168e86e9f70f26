"""Profile version 1003: prefixed settings, the signing control panel and its permission."""

from plone import api
from zhangdian.approval import logger
from zhangdian.approval.settings import SIGNING_PREFIX
from zhangdian.approval.settings import applying_confirmed_change
from zhangdian.approval.workdays import CALENDAR_PREFIX


PROFILE = "profile-zhangdian.approval:default"
# The names the records had up to 1002, and the prefix they have now.
RENAMED = (
    ("zhangdian.approval.settings.ISigningSettings", SIGNING_PREFIX),
    ("zhangdian.approval.workdays.ICalendarSettings", CALENDAR_PREFIX),
)


def move_settings_to_prefixed_records(setup_tool):
    """Copy each old record's value to its prefixed record, then delete the old record."""
    registry = api.portal.get_tool("portal_registry")
    for old_prefix, new_prefix in RENAMED:
        old_names = [name for name in registry.records if name.startswith(old_prefix + ".")]
        for old_name in old_names:
            new_name = new_prefix + old_name[len(old_prefix) :]
            if new_name in registry.records:
                # The bureau's own values, moved: no change for four eyes to confirm.
                with applying_confirmed_change():
                    registry[new_name] = registry[old_name]
                logger.info("1003: %s -> %s", old_name, new_name)
            del registry.records[old_name]
    # The calendar lists merge (purge="false"): official days added since are appended again.
    setup_tool.runImportStepFromProfile(PROFILE, "plone.app.registry", run_dependencies=False)
