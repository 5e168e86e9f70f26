"""The Matter type and the rules every matter obeys."""

from plone import api
from tests.helpers.approval import make_matter_data
from zope.interface import Invalid
from zope.schema.interfaces import ValidationError

import pytest


class TestMatterType:
    """FTI and creation of matters."""

    @pytest.mark.parametrize(
        "portal_type,attr,expected",
        [
            ("Matter", "klass", "zhangdian.approval.content.matter.Matter"),
            ("Matter", "add_permission", "zhangdian.approval.matter.add"),
            ("Matter", "global_allow", False),
            ("MatterCategory", "allowed_content_types", ("Matter",)),
            ("MatterList", "allowed_content_types", ("MatterCategory",)),
            ("MatterList", "global_allow", False),
        ],
    )
    def test_fti(self, get_fti, portal_type, attr, expected):
        """The FTIs are configured as designed."""
        assert getattr(get_fti(portal_type), attr) == expected

    @pytest.mark.parametrize("behavior", ["plone.basic", "plone.versioning", "plone.locking"])
    def test_behaviors(self, get_behaviors, behavior):
        """Matters are versioned and lockable."""
        assert behavior in get_behaviors("Matter")

    def test_named_after_code(self, matter_list):
        """The add form names a new matter after its code, in lower case."""
        from zope.container.interfaces import INameChooser

        category = matter_list["jmss"]
        matter = category["xk-t-001"]
        matter.code = "XK-NEW-9"
        assert INameChooser(category).chooseName(None, matter) == "xk-new-9"

    def test_on_the_spot(self, matter_list):
        """Promised days 0 means on the spot (即办)."""
        assert matter_list["jmss"]["xk-t-002"].on_the_spot is True
        assert matter_list["jmss"]["xk-t-001"].on_the_spot is False


class TestMatterRules:
    """Code format, code uniqueness and time limits."""

    def test_promised_above_statutory_refused(self, matter_list):
        """The schema invariant refuses promised > statutory with both numbers."""
        from zhangdian.approval.content.matter import IMatter

        class Data:
            promised_days = 30
            statutory_days = 20

        with pytest.raises(Invalid) as error:
            IMatter.validateInvariants(Data())
        assert error.value.args[0].mapping == {"promised": 30, "statutory": 20}

    def test_promised_equal_statutory_allowed(self):
        """Promised may equal statutory."""
        from zhangdian.approval.content.matter import check_time_limits

        assert check_time_limits(20, 20) is None

    @pytest.mark.parametrize("code", ["xk", "XK 001", "-XK-001", "XK_001", "X" * 41, ""])
    def test_bad_code_format(self, matter_list, code):
        """Malformed codes are refused."""
        from zhangdian.approval.content.matter import InvalidMatterCode
        from zhangdian.approval.content.matter import check_matter_code

        with pytest.raises(InvalidMatterCode):
            check_matter_code(code)

    def test_duplicate_code_refused(self, matter_list):
        """A second matter may not take an existing code."""
        from zhangdian.approval.content.matter import DuplicateMatterCode
        from zhangdian.approval.content.matter import IMatter

        other = matter_list["shsw"]["xk-t-101"]
        with pytest.raises(DuplicateMatterCode):
            IMatter["code"].bind(other).validate("XK-T-001")

    def test_own_code_allowed(self, matter_list):
        """Saving a matter with its own code is fine."""
        from zhangdian.approval.content.matter import IMatter

        matter = matter_list["jmss"]["xk-t-001"]
        assert IMatter["code"].bind(matter).validate("XK-T-001") is None

    def test_code_validation_error_is_translatable(self):
        """The duplicate-code error explains itself."""
        from zhangdian.approval.content.matter import DuplicateMatterCode

        assert isinstance(DuplicateMatterCode("X"), ValidationError)
        assert "unique" in DuplicateMatterCode("X").doc().default


class TestMatterVersioning:
    """Every change of a matter is versioned (动态调整 history)."""

    def test_edit_creates_version(self, matter_list):
        """An edit through the modified event stores a new version."""
        from zope.event import notify
        from zope.lifecycleevent import ObjectModifiedEvent

        matter = matter_list["jmss"]["xk-t-001"]
        repository = api.portal.get_tool("portal_repository")
        before = len(repository.getHistoryMetadata(matter) or [])
        with api.env.adopt_roles(["Manager"]):
            matter.promised_days = 3
            notify(ObjectModifiedEvent(matter))
        history = repository.getHistoryMetadata(matter)
        assert history.getLength(countPurged=False) == before + 1

    def test_versioning_cannot_be_switched_off(self, matter_list):
        """Unticking "versioning enabled" does not stop versions of a matter."""
        from zope.event import notify
        from zope.lifecycleevent import ObjectModifiedEvent

        matter = matter_list["jmss"]["xk-t-001"]
        repository = api.portal.get_tool("portal_repository")
        before = repository.getHistoryMetadata(matter).getLength(countPurged=False)
        with api.env.adopt_roles(["Manager"]):
            matter.versioning_enabled = False
            matter.fee = "1元"
            notify(ObjectModifiedEvent(matter))
        assert repository.getHistoryMetadata(matter).getLength(countPurged=False) == before + 1

    def test_new_matter_data_is_valid(self, portal):
        """The test fixture data itself passes the schema."""
        from zhangdian.approval.content.matter import IMatter

        data = make_matter_data("XK-T-999", "测试", 1, 2)
        for name in ("code", "statutory_days", "promised_days", "legal_basis"):
            IMatter[name].validate(data[name])
