"""Who may see and change the matter list, in which state."""

from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from Products.CMFCore.WorkflowCore import WorkflowException

import pytest


def roles_with(obj, permission):
    """The roles granted `permission` on `obj`."""
    return {role["name"] for role in obj.rolesOfPermission(permission) if role["selected"]}


MATTERS_BY_STATE = {"draft": "xk-t-003", "published": "xk-t-001", "suspended": "xk-t-004"}
STAFF = {"Manager", "Site Administrator", "ApprovalAdministrator", "Auditor", "Supervisor"}
EDITORS = {"Manager", "ApprovalAdministrator"}


class TestMatterPermissions:
    """The permission map of matter_workflow."""

    @pytest.mark.parametrize(
        "state,expected",
        [("draft", STAFF), ("published", {"Anonymous"}), ("suspended", STAFF)],
    )
    def test_view(self, matter_list, state, expected):
        """The public sees published matters only; staff also see drafts and suspended ones."""
        matter = matter_list["jmss"][MATTERS_BY_STATE[state]]
        assert roles_with(matter, "View") == expected
        assert roles_with(matter, "Access contents information") == expected

    @pytest.mark.parametrize("state", ["draft", "published", "suspended"])
    def test_modify(self, matter_list, state):
        """Only the working group and Manager change a matter, in every state."""
        matter = matter_list["jmss"][MATTERS_BY_STATE[state]]
        assert roles_with(matter, "Modify portal content") == EDITORS

    @pytest.mark.parametrize(
        "permission",
        [
            "zhangdian.approval: Add Matter",
            "zhangdian.approval: Add MatterCategory",
            "Add portal content",
            "Modify portal content",
        ],
    )
    def test_list_and_categories_changed_by_working_group_only(self, matter_list, permission):
        """The list and its categories are changed by the working group and Manager only."""
        for container in (matter_list, matter_list["jmss"]):
            assert roles_with(container, permission) == EDITORS

    def test_delete_manager_only(self, matter_list):
        """Matters are suspended, not deleted: only Manager may delete."""
        assert roles_with(matter_list["jmss"], "Delete objects") == {"Manager"}

    def test_list_is_public(self, matter_list):
        """Anyone can read the list and its categories."""
        assert "Anonymous" in roles_with(matter_list, "View")
        assert "Anonymous" in roles_with(matter_list["shsw"], "View")


class TestMatterTransitions:
    """publish / suspend / resume, per role."""

    @pytest.mark.parametrize(
        "userid,allowed",
        [
            ("workgroup", True),
            ("siteadmin", False),
            ("editor", False),
            ("member", False),
            ("auditor", False),
        ],
    )
    def test_publish_suspend_resume(self, portal, matter_list, userid, allowed):
        """The working group walks a matter through its states; nobody else can."""
        matter = matter_list["jmss"]["xk-t-003"]
        login(portal, userid)
        try:
            if allowed:
                for transition, state in (
                    ("publish", "published"),
                    ("suspend", "suspended"),
                    ("resume", "published"),
                ):
                    api.content.transition(obj=matter, transition=transition)
                    assert api.content.get_state(matter) == state
            else:
                with pytest.raises((WorkflowException, api.exc.InvalidParameterError)):
                    api.content.transition(obj=matter, transition="publish")
                assert api.content.get_state(matter) == "draft"
        finally:
            logout()

    def test_anonymous_cannot_transition(self, portal, matter_list):
        """Anonymous changes nothing."""
        matter = matter_list["jmss"]["xk-t-001"]
        logout()
        with pytest.raises((WorkflowException, api.exc.InvalidParameterError)):
            api.content.transition(obj=matter, transition="suspend")
        assert api.content.get_state(matter) == "published"

    def test_suspended_matter_not_in_public_catalog(self, portal, matter_list):
        """Suspending removes a matter from what anonymous finds in the catalog."""
        logout()
        codes = {b.matter_code for b in api.content.find(portal_type="Matter")}
        assert codes == {"XK-T-001", "XK-T-002", "XK-T-101"}

    def test_transitions_recorded_in_history(self, portal, matter_list):
        """Each state change stays in the matter's workflow history."""
        matter = matter_list["jmss"]["xk-t-004"]
        history = matter.workflow_history["matter_workflow"]
        assert [entry["action"] for entry in history] == [None, "publish", "suspend"]


class TestMatterListChanges:
    """The list-wide change log (动态调整)."""

    def test_log_records_adds_edits_and_transitions(self, portal, matter_list):
        """Additions, edits and state changes are all logged in order."""
        from zhangdian.approval.content.matter import IMatter
        from zhangdian.approval.subscribers.matter_changes import changes_of
        from zope.event import notify
        from zope.lifecycleevent import Attributes
        from zope.lifecycleevent import ObjectModifiedEvent

        matter = matter_list["jmss"]["xk-t-004"]
        with api.env.adopt_roles(["Manager"]):
            matter.fee = "10元"
            notify(ObjectModifiedEvent(matter, Attributes(IMatter, "IMatter.fee")))
        entries = [e for e in changes_of(matter_list).values() if e["code"] == "XK-T-004"]
        assert [e["action"] for e in entries] == ["added", "publish", "suspend", "edited"]
        assert entries[-1]["fields"] == ("fee",)

    def test_public_sees_changes_of_published_matters_only(self, portal, matter_list):
        """Anonymous sees the log of public matters, staff see all."""
        view = matter_list.restrictedTraverse("@@matter-list-changes")
        logout()
        public = {e["code"] for e in view.changes()}
        assert public == {"XK-T-001", "XK-T-002", "XK-T-101"}
        login(portal, "workgroup")
        try:
            staff = {e["code"] for e in view.changes()}
        finally:
            logout()
        assert staff == {"XK-T-001", "XK-T-002", "XK-T-003", "XK-T-004", "XK-T-101"}
