"""适用范围: only a simple matter is flagged for independent approval (form, REST and import)."""

from tests.helpers.approval import make_matter_data
from zhangdian.approval.browser.spreadsheet import run_import
from zhangdian.approval.content.matter import IMatter
from zhangdian.approval.content.matter import NotASimpleMatter
from zhangdian.approval.documents.spreadsheet import COLUMNS
from zhangdian.approval.documents.spreadsheet import export_table
from zhangdian.approval.documents.spreadsheet import to_csv
from zope.i18n import translate

import pytest
import transaction


CONDITIONS = ("needs_technical_review", "needs_hearing", "needs_legal_review")
NAMED = {
    "needs_technical_review": "现场查验",
    "needs_hearing": "听证",
    "needs_legal_review": "法制审核",
}


def data(**values):
    """Schema data with only what the invariants read."""
    defaults = {"independent_approval": True, "promised_days": 1, "statutory_days": 5}
    return type("Data", (), {**defaults, **dict.fromkeys(CONDITIONS, False), **values})()


class TestTheRule:
    def test_a_simple_matter_may_be_independent(self):
        IMatter.validateInvariants(data())

    @pytest.mark.parametrize("condition", CONDITIONS)
    def test_a_matter_needing_more_is_refused_naming_why(self, condition):
        with pytest.raises(NotASimpleMatter) as refused:
            IMatter.validateInvariants(data(**{condition: True}))
        text = translate(refused.value.args[0], target_language="en")
        assert NAMED[condition] in text and "Only a simple matter" in text

    def test_every_reason_is_named(self):
        with pytest.raises(NotASimpleMatter) as refused:
            IMatter.validateInvariants(data(**dict.fromkeys(CONDITIONS, True)))
        text = translate(refused.value.args[0], target_language="en")
        assert all(NAMED[condition] in text for condition in CONDITIONS)

    def test_the_regular_procedure_may_need_all_of_them(self):
        IMatter.validateInvariants(
            data(independent_approval=False, **dict.fromkeys(CONDITIONS, True))
        )


class TestOverRest:
    @pytest.fixture(autouse=True)
    def _setup(self, functional_matter_list, user_request):
        self.matter_list = functional_matter_list
        self.session = user_request("workgroup")
        self.session.headers["Accept-Language"] = "zh-CN"

    def test_post_refused_nothing_stored(self):
        before = len(self.matter_list["jmss"].objectIds())
        body = {**make_matter_data("XK-T-600", "需听证事项", 2, 10), "@type": "Matter"}
        response = self.session.post("matters/jmss", json={**body, "needs_hearing": True})
        assert response.status_code == 400, response.text
        assert "听证" in response.json()["message"]
        transaction.begin()
        assert len(self.matter_list["jmss"].objectIds()) == before

    def test_patch_refused_the_matter_stays_simple(self):
        response = self.session.patch("matters/jmss/xk-t-001", json={"needs_legal_review": True})
        assert response.status_code == 400, response.text
        transaction.begin()
        assert self.matter_list["jmss"]["xk-t-001"].needs_legal_review is False

    def test_patch_allowed_once_off_the_one_person_path(self):
        response = self.session.patch(
            "matters/jmss/xk-t-001", json={"independent_approval": False, "needs_hearing": True}
        )
        assert response.status_code == 204, response.text


class TestImport:
    @pytest.fixture(autouse=True)
    def _workgroup(self, portal, matter_list):
        from plone.app.testing import login
        from plone.app.testing import logout

        login(portal, "workgroup")
        yield
        logout()

    def column(self, key):
        return [c.key for c in COLUMNS].index(key)

    def test_the_conditions_are_exported_and_a_flagged_row_refused(self, matter_list):
        table = export_table(matter_list)
        assert table[0][self.column("needs_hearing")] == "需听证"
        row = next(r for r in table if r[0] == "XK-T-001")
        assert row[self.column("needs_hearing")] == "否"
        row[self.column("needs_hearing")] = "是"
        report = run_import(matter_list, "list.csv", to_csv(table), apply=True)
        assert [e.column for e in report.errors] == ["适用独立审批"]
        assert matter_list["jmss"]["xk-t-001"].needs_hearing is False

    def test_a_sheet_without_the_columns_still_imports(self, matter_list):
        """Sheets made before the columns existed read them as 否."""
        table = export_table(matter_list)
        keep = [i for i, c in enumerate(COLUMNS) if c.key not in CONDITIONS]
        report = run_import(
            matter_list, "list.csv", to_csv([[row[i] for i in keep] for row in table]), apply=True
        )
        assert report.ok, report.errors
