"""The add-on installs, is versioned and uninstalls cleanly."""

from zhangdian.approval import PACKAGE_NAME

import pytest


class TestSetupInstall:
    """Installation of zhangdian.approval."""

    def test_addon_installed(self, installer):
        """The add-on is installed."""
        assert installer.is_product_installed(PACKAGE_NAME) is True

    def test_browserlayer(self, browser_layers):
        """The browser layer is registered."""
        from zhangdian.approval.interfaces import IBrowserLayer

        assert IBrowserLayer in browser_layers

    def test_latest_version(self, profile_last_version):
        """The profile version is 1007 (also proves the profiles symlink resolves)."""
        assert profile_last_version(f"{PACKAGE_NAME}:default") == "1007"

    def test_matter_list_created(self, portal):
        """Installing creates the one matter list at /matters."""
        assert portal["matters"].portal_type == "MatterList"

    def test_default_language_zh_cn(self, portal):
        """zh_CN is the portal's language, English is offered."""
        from plone import api

        assert api.portal.get_registry_record("plone.default_language") == "zh-cn"
        assert api.portal.get_registry_record("plone.available_languages") == ["zh-cn", "en"]

    @pytest.mark.parametrize("role", ["ApprovalAdministrator", "Auditor"])
    def test_roles(self, portal, role):
        """Our roles exist."""
        assert role in portal.validRoles()


class TestSetupUninstall:
    """Uninstalling removes what the add-on added."""

    def test_settings_and_control_panel_removed(self, portal):
        """The calendar and signing records and the calendar control panel are gone."""
        records = portal.portal_registry.records
        assert not [name for name in records if name.startswith("zhangdian.approval.")]
        configlets = [action.getId() for action in portal.portal_controlpanel.listActions()]
        assert "approval-calendar" not in configlets
        assert "applications" not in portal.objectIds()

    @pytest.fixture(autouse=True)
    def uninstalled(self, installer):
        """Uninstall the add-on."""
        installer.uninstall_product(PACKAGE_NAME)

    def test_product_uninstalled(self, installer):
        """The add-on is no longer installed."""
        assert installer.is_product_installed(PACKAGE_NAME) is False

    def test_browserlayer_removed(self, browser_layers):
        """The browser layer is gone."""
        from zhangdian.approval.interfaces import IBrowserLayer

        assert IBrowserLayer not in browser_layers

    @pytest.mark.parametrize(
        "portal_type",
        [
            "MatterList",
            "MatterCategory",
            "Matter",
            "ApproverRoster",
            "ApproverAuthorization",
            "ApplicationFolder",
            "Application",
            "SubmittedMaterial",
        ],
    )
    def test_types_removed(self, portal, portal_type):
        """Our content types are gone."""
        assert portal_type not in portal.portal_types.objectIds()

    @pytest.mark.parametrize(
        "workflow",
        [
            "matter_workflow",
            "matter_list_workflow",
            "authorization_workflow",
            "approver_roster_workflow",
        ],
    )
    def test_workflows_removed(self, portal, workflow):
        """Our workflows are gone."""
        assert workflow not in portal.portal_workflow.objectIds()

    @pytest.mark.parametrize("index", ["matter_code", "matter_category", "on_the_spot"])
    def test_indexes_removed(self, portal, index):
        """Our catalog indexes are gone."""
        assert index not in portal.portal_catalog.indexes()

    def test_matter_list_removed(self, portal):
        """The matter list is removed."""
        assert "matters" not in portal
