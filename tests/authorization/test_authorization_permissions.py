"""The roster is internal: the working group manages it, oversight reads it."""

from tests.helpers.approval import make_authorization

import pytest


def roles_with(obj, permission):
    """The roles granted `permission` on `obj`."""
    return {role["name"] for role in obj.rolesOfPermission(permission) if role["selected"]}


READERS = {"Manager", "ApprovalAdministrator", "Auditor", "Supervisor"}
EDITORS = {"Manager", "ApprovalAdministrator"}


class TestRosterPermissions:
    """Who may read and change authorisations."""

    def test_roster_not_public(self, roster):
        """Anonymous and members cannot see the roster."""
        assert roles_with(roster, "View") == READERS

    def test_add_authorization(self, roster):
        """Only the working group and Manager add authorisations."""
        assert roles_with(roster, "zhangdian.approval: Add ApproverAuthorization") == EDITORS
        # Supervisors may add to the roster too, but only spot checks and call-backs.
        assert roles_with(roster, "Add portal content") == {*EDITORS, "Supervisor"}

    @pytest.mark.parametrize(
        "state,editable",
        [
            ("pending", True),
            ("proposed", True),
            ("active", True),
            ("suspended", True),
            ("revoked", False),
            ("expired", False),
        ],
    )
    def test_states(self, portal, roster, state, editable):
        """Revoked and expired authorisations are history: nobody edits them."""
        from plone import api
        from tests.helpers.approval import transition

        import time_machine

        # Only an existing user's account is granted an authorisation.
        with api.env.adopt_roles(["Manager"]):
            api.user.create(username="approver2", email="a2@example.org", password="pw-123456")
        authorization = make_authorization(
            roster, "approver2", "2026-01-01", "2026-12-31", ["jmss"]
        )
        # One member proposes, another confirms (four eyes).
        granted = [("2026-01-02", "propose", {}), ("2026-01-02", "grant", {})]
        path = {
            "proposed": granted[:1],
            "active": granted,
            "suspended": [*granted, ("2026-01-03", "suspend", {})],
            "revoked": [*granted, ("2026-01-03", "revoke", {"comment": "违纪"})],
            "expired": [*granted, ("2027-01-01", "expire", {})],
        }.get(state, [])
        for day, name, kwargs in path:
            userid = "workgroup2" if name == "grant" else "workgroup"
            with time_machine.travel(f"{day} 12:00 +0800", tick=False):
                transition(portal, authorization, name, userid=userid, **kwargs)
        assert api.content.get_state(authorization) == state
        assert roles_with(authorization, "View") == READERS
        expected = EDITORS if editable else set()
        assert roles_with(authorization, "Modify portal content") == expected

    def test_independent_approver_role_not_on_sharing_tab(self, portal):
        """IndependentApprover is computed per application, never granted by hand."""
        from plone.app.workflow.interfaces import ISharingPageRole
        from zope.component import getUtilitiesFor

        assert "IndependentApprover" in portal.validRoles()
        assert "IndependentApprover" not in dict(getUtilitiesFor(ISharingPageRole))
