"""1007: the qualification thresholds (资格条件) become registry records with the plan's values."""

from plone import api
from zhangdian.approval.settings import QUALIFICATION_PREFIX
from zhangdian.approval.settings import IQualificationSettings
from zhangdian.approval.settings import applying_confirmed_change


def register_qualification_settings(setup):
    """Add the records only (the registry's other records, the calendar among them, stay)."""
    registry = api.portal.get_tool("portal_registry")
    with applying_confirmed_change():
        registry.registerInterface(IQualificationSettings, prefix=QUALIFICATION_PREFIX)
