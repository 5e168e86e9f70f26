"""Separation of duties on the roster: dedicated accounts, recusal and four eyes (issue 15).

Each rule allowed and refused, as the approver, two members of the working group, the
supervisor, the auditor, the Site Administrator and a Manager, through portal_workflow (the
route REST, the Classic UI and the ZMI all end in), manage_changeProperties and the local
role provider; after every refusal the state and the journal length are unchanged.
"""

from datetime import date
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from Products.CMFCore.WorkflowCore import WorkflowException
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import graded
from tests.helpers.approval import grant
from tests.helpers.approval import make_authorization
from tests.helpers.approval import transition
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.casework.queue import applications_for_queue
from zhangdian.approval.casework.security import forget_cached_verdicts
from zhangdian.approval.content.authorization import AuthorizationRefused
from zhangdian.approval.localroles import IndependentApproverRoles
from zhangdian.approval.roster.lifecycle import renew
from zhangdian.approval.rules.application import may_act
from zhangdian.approval.rules.authorization import may_decide

import pytest
import transaction


NOT_IN_WORKING_GROUP = ("supervisor", "auditor", "siteadmin", "approver1")


@pytest.fixture
def manager(portal, matter_list):
    """A user with the Manager role (the Zope admin of a bureau)."""
    with api.env.adopt_roles(["Manager"]):
        api.user.create(username="manager", email="manager@example.org", password=PASSWORD)
    portal.acl_users.portal_role_manager.assignRoleToPrincipal("Manager", "manager")
    return "manager"


@pytest.fixture
def pending(portal, roster, clock):
    """approver1's pending authorisation for 经贸商事 in 2026 (today: 2026-01-02)."""
    clock("2026-01-02")
    return make_authorization(roster, "approver1", "2026-01-01", "2026-12-31", ["jmss"])


@pytest.fixture
def proposed(portal, pending):
    """The same, proposed by workgroup."""
    transition(portal, pending, "propose", userid="workgroup")
    return pending


def snapshot(obj):
    """What a refusal must leave as it was: state, recorded fields and the journal length."""
    return (
        api.content.get_state(obj),
        obj.approver,
        list(obj.scope_categories or ()),
        obj.valid_until,
        obj.exam_score,
        journal().length,
    )


def refused(portal, obj, name, userid, code=None, **kwargs):
    """Fire a transition that must be refused: its reason code, nothing stored."""
    before = snapshot(obj)
    with pytest.raises((AuthorizationRefused, WorkflowException)) as caught:
        transition(portal, obj, name, userid=userid, **kwargs)
    if code is not None:
        assert isinstance(caught.value, AuthorizationRefused), caught.value
        assert caught.value.code == code
        assert caught.value.status == 403
    assert snapshot(obj) == before
    return caught.value


def create_as(portal, userid, approver):
    """Create an authorisation for `approver` as `userid`; refused ones are rolled back."""
    login(portal, userid)
    savepoint = transaction.savepoint()
    try:
        with api.env.adopt_roles(["Manager"]):
            return api.content.create(
                container=portal["approvers"],
                type="ApproverAuthorization",
                id=f"{approver}-new",
                approver=approver,
                scope_categories=["jmss"],
                valid_from=date(2026, 1, 1),
                valid_until=date(2026, 12, 31),
            )
    except AuthorizationRefused:
        savepoint.rollback()
        raise
    finally:
        logout()


class TestMakerAndChecker:
    """A grant is proposed by one member of the working group and confirmed by another."""

    def test_two_members_grant(self, portal, pending):
        """Proposed by workgroup, confirmed by workgroup2: both names and times recorded."""
        length = journal().length
        grant(portal, pending)
        assert api.content.get_state(pending) == "active"
        assert (pending.proposed_by, pending.granted_by) == ("workgroup", "workgroup2")
        assert pending.proposed_at is not None and pending.granted_at is not None
        entries = [journal().entries[seq] for seq in range(length + 1, journal().length + 1)]
        steps = [
            (e["action"], e["actor"]) for e in entries if e["action"].endswith(("propose", "grant"))
        ]
        assert steps == [
            ("authorization.propose", "workgroup"),
            ("authorization.grant", "workgroup2"),
        ]
        assert entries[-1]["after"]["proposed_by"] == "workgroup"

    def test_proposer_cannot_confirm(self, portal, proposed):
        """workgroup proposed it: workgroup's own grant is refused, same_as_proposer."""
        refused(portal, proposed, "grant", "workgroup", "same_as_proposer")
        assert api.content.get_state(proposed) == "proposed"

    def test_no_grant_without_proposal(self, portal, pending):
        """From pending there is no grant at all, for nobody."""
        for userid in ("workgroup", "workgroup2"):
            refused(portal, pending, "grant", userid)

    @pytest.mark.parametrize("userid", NOT_IN_WORKING_GROUP)
    def test_outsiders_neither_propose_nor_confirm(self, portal, pending, userid):
        """Supervisor, auditor, Site Administrator and the approver lack the permission."""
        refused(portal, pending, "propose", userid)
        transition(portal, pending, "propose", userid="workgroup")
        refused(portal, pending, "grant", userid)

    def test_manager_confirms_another_members_proposal(self, portal, proposed, manager):
        """A Manager is a second person too: allowed, and recorded as the checker."""
        transition(portal, proposed, "grant", userid=manager)
        assert (proposed.proposed_by, proposed.granted_by) == ("workgroup", "manager")

    def test_manager_cannot_confirm_own_proposal(self, portal, pending, manager):
        """Whatever the roles, the proposer is not the checker."""
        transition(portal, pending, "propose", userid=manager)
        refused(portal, pending, "grant", manager, "same_as_proposer")

    def test_send_back_forgets_the_proposer(self, portal, proposed):
        """Sent back, corrected and proposed again by the other member, then confirmed."""
        transition(portal, proposed, "send_back", userid="workgroup2")
        assert (api.content.get_state(proposed), proposed.proposed_by) == ("pending", None)
        proposed.exam_score = 90
        transition(portal, proposed, "propose", userid="workgroup2")
        transition(portal, proposed, "grant", userid="workgroup")
        assert api.content.get_state(proposed) == "active"


class TestOwnAuthorization:
    """Nobody creates, proposes or confirms an authorisation for their own account."""

    @pytest.mark.parametrize("userid", ["workgroup", "manager", "siteadmin"])
    def test_created_for_oneself_refused(self, portal, manager, userid):
        """Created for the account that creates it: refused, nothing stored."""
        length = journal().length
        with pytest.raises(AuthorizationRefused) as caught:
            create_as(portal, userid, userid)
        assert caught.value.code == "own_authorization"
        assert f"{userid}-new" not in portal["approvers"]
        assert journal().length == length

    def test_created_for_someone_else_allowed(self, portal, manager):
        """The same creation for another account is allowed."""
        authorization = create_as(portal, "workgroup", "approver2")
        assert api.content.get_state(authorization) == "pending"

    def test_proposed_and_confirmed_for_oneself_refused(self, portal, roster, clock, manager):
        """An authorisation for workgroup: workgroup neither proposes nor confirms it."""
        clock("2026-01-02")
        own = make_authorization(roster, "workgroup", "2026-01-01", "2026-12-31", ["jmss"])
        refused(portal, own, "propose", "workgroup", "own_authorization")
        # Proposed by the other member, it is refused at once: a working-group account.
        refused(portal, own, "propose", "workgroup2", "mixed_account")

    def test_manager_own_grant_through_zmi_refused(self, portal, roster, clock, manager):
        """portal_workflow.doActionFor as Manager on the Manager's own authorisation."""
        clock("2026-01-02")
        own = make_authorization(roster, "manager", "2026-01-01", "2026-12-31", ["jmss"])
        refused(portal, own, "propose", "manager", "own_authorization")


class TestDedicatedAccounts:
    """An approval account is a user, never a group, and holds no other business role."""

    @pytest.mark.parametrize("group", ["AuthenticatedUsers", "Reviewers", "Administrators"])
    def test_group_as_approver_refused_at_creation(self, portal, manager, group):
        """A group id (virtual or in portal_groups) cannot be an approver."""
        length = journal().length
        with pytest.raises(AuthorizationRefused) as caught:
            create_as(portal, "workgroup", group)
        assert caught.value.code == "not_a_user"
        assert journal().length == length

    def test_group_as_approver_does_not_count(self, portal, granted, submit, clock):
        """An authorisation whose approver became a group id (old data) gives nobody a role."""
        clock("2026-03-02")
        application = submit("XK-T-001")
        granted.approver = "AuthenticatedUsers"
        granted.reindexObject()
        forget_cached_verdicts()
        matter = application.matter_object()
        assert may_decide("AuthenticatedUsers", matter).reason == "not_a_user"
        assert IndependentApproverRoles(application).getRoles("AuthenticatedUsers") == ()
        assert "IndependentApprover" not in api.user.get_roles(username="member", obj=application)

    @pytest.mark.parametrize(
        "role", ["ApprovalAdministrator", "Supervisor", "Auditor", "Site Administrator", "Manager"]
    )
    def test_business_role_refused_at_proposal(self, portal, pending, role):
        """An account with another business role is not proposed (mixed_account)."""
        portal.acl_users.portal_role_manager.assignRoleToPrincipal(role, "approver1")
        refused(portal, pending, "propose", "workgroup", "mixed_account")

    def test_business_role_refused_at_confirmation(self, portal, proposed):
        """Given a role between proposal and confirmation: the checker is refused."""
        portal.acl_users.portal_role_manager.assignRoleToPrincipal("Supervisor", "approver1")
        forget_cached_verdicts()
        refused(portal, proposed, "grant", "workgroup2", "mixed_account")

    @pytest.mark.parametrize("through_group", [False, True])
    def test_added_to_working_group_later_stops_counting(
        self, portal, granted, submit, clock, through_group
    ):
        """Approver added to the working group: may_decide says mixed_account, no local role."""
        clock("2026-03-02")
        application = submit("XK-T-001")
        matter = application.matter_object()
        assert may_decide("approver1", matter).allowed
        assert IndependentApproverRoles(application).getRoles("approver1") == (
            "IndependentApprover",
        )
        if through_group:
            api.group.add_user(groupname="Site Administrators", username="approver1")
        else:
            portal.acl_users.portal_role_manager.assignRoleToPrincipal(
                "ApprovalAdministrator", "approver1"
            )
        forget_cached_verdicts()
        verdict = may_decide("approver1", matter)
        assert (verdict.allowed, verdict.reason) == (False, "mixed_account")
        assert IndependentApproverRoles(application).getRoles("approver1") == ()
        assert applications_for_queue("approver1") == []
        # The roster says so: the dashboard lists it, with the reason.
        login(portal, "workgroup")
        try:
            rows = (
                portal["approvers"].restrictedTraverse("@@authorization-dashboard").not_counting()
            )
        finally:
            logout()
        assert [row["userid"] for row in rows] == ["approver1"]

    def test_applicant_account_refused_as_approver(self, portal, roster, submit, clock):
        """member submitted an application: member's account is not proposed as approver."""
        clock("2026-01-02")
        submit("XK-T-001", userid="member")
        authorization = make_authorization(roster, "member", "2026-01-01", "2026-12-31", ["jmss"])
        refused(portal, authorization, "propose", "workgroup", "approver_is_applicant")

    def test_counter_registrations_are_no_applications_of_the_approver(
        self, portal, granted, submit, clock
    ):
        """approver1 registers a walk-in at the counter: that does not bar the renewal."""
        clock("2026-03-02")
        walk_in = submit("XK-T-001", userid="approver1")
        assert walk_in.channel == "counter"
        with api.env.adopt_roles(["Manager"]):
            successor = renew(granted)
        successor.last_appraisal = "excellent"
        successor.last_training_date = date(2026, 1, 1)
        graded(portal, successor.approver, 2026)
        grant(portal, successor)
        assert api.content.get_state(successor) == "active"


class TestRecusal:
    """Nobody acts on an application they submitted or that names them (回避)."""

    def test_submitted_online_by_the_approver(self, portal, approvers, submit, clock):
        """approver1 submitted it online: recused, no role, not in the queue, cannot accept."""
        clock("2026-03-02")
        # Submitted online while its matter was outside approver1's scope, then brought in.
        own = submit("XK-T-101", userid="approver1")
        assert own.channel == "online"
        own.matter = "XK-T-001"
        own.reindexObject()
        forget_cached_verdicts()
        assert may_act("approver1", own).reason == "recused"
        assert IndependentApproverRoles(own).getRoles("approver1") == ()
        assert own not in applications_for_queue("approver1")
        state, length = api.content.get_state(own), journal().length
        with pytest.raises(WorkflowException):
            transition(portal, own, "accept", userid="approver1")
        assert (api.content.get_state(own), journal().length) == (state, length)
        # Another approver of the same matter takes it up.
        assert may_act("approver4", own).allowed
        transition(portal, own, "accept", userid="approver4")
        assert own.accepted_by == "approver4"

    def test_application_naming_the_approver(self, portal, approvers, submit, clock):
        """An application giving approver4's e-mail: approver4 is recused, approver1 is not."""
        clock("2026-03-02")
        named = submit("XK-T-001", contact_email="approver4@example.org")
        other = submit("XK-T-001")
        assert may_act("approver4", named).reason == "recused"
        assert may_act("approver4", other).allowed
        assert named not in applications_for_queue("approver4")
        assert other in applications_for_queue("approver4")
        assert IndependentApproverRoles(named).getRoles("approver4") == ()
        with pytest.raises(WorkflowException):
            transition(portal, named, "accept", userid="approver4")
        assert api.content.get_state(named) == "submitted"
        transition(portal, named, "accept", userid="approver1")
        assert named.accepted_by == "approver1"


class TestFrozenFields:
    """The approver never changes; the qualification freezes; scope and term only shrink."""

    @pytest.mark.parametrize("userid", ["workgroup", "manager"])
    def test_zmi_properties_refused(self, portal, granted, manager, userid):
        """manage_changeProperties with approver or exam_score: refused, value unchanged."""
        login(portal, userid)
        try:
            before = snapshot(granted)
            with pytest.raises(AuthorizationRefused) as caught:
                granted.manage_changeProperties(approver="approver2")
            assert caught.value.code == "approver_fixed"
            with pytest.raises(AuthorizationRefused) as caught:
                granted.manage_changeProperties({"exam_score": 10})
            assert caught.value.code == "qualification_frozen"
            assert snapshot(granted) == before
            # The one real property, the title, is changed as before.
            granted.manage_changeProperties(title="approver1 2026")
        finally:
            logout()
        assert granted.Title() == "approver1 2026"

    def test_renewal_needs_two_people(self, portal, granted, clock):
        """renew() gives a pending successor: proposed by one, confirmed by another."""
        clock("2026-12-01")
        with api.env.adopt_roles(["Manager"]):
            successor = renew(granted)
        successor.last_appraisal = "excellent"
        successor.last_training_date = date(2026, 1, 1)
        graded(portal, successor.approver, 2026)
        assert api.content.get_state(successor) == "pending"
        refused(portal, successor, "grant", "workgroup")
        transition(portal, successor, "propose", userid="workgroup")
        refused(portal, successor, "grant", "workgroup", "same_as_proposer")
        transition(portal, successor, "grant", userid="workgroup2")
        assert api.content.get_state(successor) == "active"

    def test_own_renewal_refused(self, portal, roster, clock, manager):
        """The Manager renews the Manager's own authorisation: refused at creation."""
        clock("2026-01-02")
        own = make_authorization(roster, "manager", "2026-01-01", "2026-12-31", ["jmss"])
        login(portal, "manager")
        try:
            savepoint = transaction.savepoint()
            with pytest.raises(AuthorizationRefused) as caught:
                renew(own)
            savepoint.rollback()
        finally:
            logout()
        assert caught.value.code == "own_authorization"
        assert len(roster.objectIds()) == 1


class TestUpgrade1005:
    """Existing authorisations keep their state and get their fields recorded."""

    def test_existing_authorizations(self, portal, granted, roster, clock):
        from zhangdian.approval.upgrades.v1005.roster import record_authorization_terms

        waiting = make_authorization(roster, "approver2", "2026-01-01", "2026-12-31", ["shsw"])
        for authorization in (granted, waiting):
            del authorization.terms_of_record  # as a site at 1004 has them
        record_authorization_terms(None)
        assert [api.content.get_state(a) for a in (granted, waiting)] == ["active", "pending"]
        assert granted.terms_of_record["scope_categories"] == ["jmss"]
        assert waiting.terms_of_record["approver"] == "approver2"
        # From now on an edit is held to them: widening the active one is refused.
        login(portal, "workgroup")
        try:
            with pytest.raises(AuthorizationRefused) as caught:
                granted.manage_changeProperties(scope_categories=["jmss", "shsw"])
        finally:
            logout()
        assert caught.value.code == "widening"
