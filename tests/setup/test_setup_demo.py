"""The demo profile: accounts, the demo matter list and the approvers' authorisations."""

from plone import api
from zhangdian.approval.rules.authorization import may_decide

import pytest


@pytest.fixture
def demo(portal, apply_profiles):
    """The portal with the demo profile applied (as the site creation script does)."""
    with api.env.adopt_roles(["Manager"]):
        apply_profiles(portal, ["zhangdian.approval:demo"])
    return portal


def matter_in(portal, category_title):
    """A published matter of the category with this title."""
    category = next(c for c in portal["matters"].objectValues() if c.Title() == category_title)
    return next(m for m in category.objectValues() if api.content.get_state(m) == "published")


class TestDemoProfile:
    """What `make start` shows a newcomer."""

    def test_matter_list(self, demo):
        """At least 40 matters in at least 5 categories, most of them published."""
        brains = api.content.find(portal_type="Matter", unrestricted=True)
        assert len(brains) >= 40
        assert len({b.matter_category for b in brains}) >= 5
        assert len([b for b in brains if b.review_state == "published"]) >= 35

    @pytest.mark.parametrize(
        "userid,role",
        [
            ("workgroup", "ApprovalAdministrator"),
            ("auditor", "Auditor"),
            ("supervisor", "Supervisor"),
            ("applicant1", "Member"),
        ],
    )
    def test_accounts(self, demo, userid, role):
        """The demo accounts exist with their roles."""
        assert role in api.user.get_roles(username=userid)

    def test_authorizations(self, demo):
        """approver1 decides 经贸商事, approver2 社会事务, approver3's authorisation expired."""
        trade = matter_in(demo, "经贸商事")
        social = matter_in(demo, "社会事务")
        assert may_decide("approver1", trade).allowed
        assert may_decide("approver1", social).reason == "out_of_scope"
        assert may_decide("approver2", social).allowed
        assert may_decide("approver3", trade).reason == "not_active"
