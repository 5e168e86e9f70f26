"""Spreadsheet import/export of the whole matter list: all rows or none."""

from pathlib import Path
from plone import api
from zhangdian.approval.browser.spreadsheet import run_import
from zhangdian.approval.documents.spreadsheet import COLUMNS
from zhangdian.approval.documents.spreadsheet import export_table
from zhangdian.approval.documents.spreadsheet import read_table
from zhangdian.approval.documents.spreadsheet import to_csv
from zhangdian.approval.documents.spreadsheet import to_xlsx

import pytest


DEMO_CSV = Path(__file__).parents[2] / "profiles" / "demo" / "matters.csv"


def snapshot(matter_list):
    """The exported table: a complete, comparable picture of the list."""
    return export_table(matter_list)


def column(key):
    """The index of a column in an exported table."""
    return [c.key for c in COLUMNS].index(key)


@pytest.fixture
def workgroup(portal, matter_list):
    """Act as the working group."""
    from plone.app.testing import login
    from plone.app.testing import logout

    login(portal, "workgroup")
    yield
    logout()


class TestRoundTrip:
    """Export then import gives the same list."""

    @pytest.mark.parametrize("fmt,encode", [("xlsx", to_xlsx), ("csv", to_csv)])
    def test_round_trip(self, matter_list, workgroup, fmt, encode):
        """Importing an export changes nothing and reports every matter unchanged."""
        before = snapshot(matter_list)
        report = run_import(matter_list, f"list.{fmt}", encode(before), apply=True)
        assert report.ok, report.errors
        assert len(report.unchanged) == 5 and not report.created and not report.updated
        assert snapshot(matter_list) == before

    def test_export_has_chinese_headings(self, matter_list):
        """The first row carries the bureau's Chinese headings."""
        table = read_table("list.csv", to_csv(snapshot(matter_list)))
        assert table[0][:3] == ["事项编码", "事项名称", "审批门类"]
        assert table[0][column("state")] == "状态"

    def test_gb18030_csv(self, matter_list, workgroup):
        """A CSV saved by Excel on a Chinese Windows (GB18030) is read too."""
        table = snapshot(matter_list)
        data = "\r\n".join(",".join(f'"{cell}"' for cell in row) for row in table).encode("gb18030")
        report = run_import(matter_list, "list.csv", data, apply=False)
        assert report.ok, report.errors
        assert len(report.rows) == 5


class TestImportUpdates:
    """Re-import updates by code and never duplicates."""

    def test_update_and_create(self, matter_list, workgroup):
        """A changed row updates its matter; a new code creates one in its category."""
        table = snapshot(matter_list)
        table[1][column("promised_days")] = "3"
        new_row = list(table[1])
        new_row[column("code")] = "XK-T-777"
        new_row[column("title")] = "新事项"
        new_row[column("category")] = "卫生健康"
        new_row[column("state")] = "已发布"
        table.append(new_row)
        report = run_import(matter_list, "list.csv", to_csv(table), apply=True)
        assert report.ok, report.errors
        assert report.updated == [table[1][column("code")]]
        assert report.created == ["XK-T-777"]
        category = next(c for c in matter_list.objectValues() if c.Title() == "卫生健康")
        matter = category["xk-t-777"]
        assert api.content.get_state(matter) == "published"
        assert len(api.content.find(portal_type="Matter", matter_code="XK-T-777")) == 1

    def test_reimport_twice_no_duplicates(self, matter_list, workgroup):
        """Importing the same file twice leaves one matter per code."""
        data = to_csv(snapshot(matter_list))
        run_import(matter_list, "list.csv", data, apply=True)
        run_import(matter_list, "list.csv", data, apply=True)
        codes = [b.matter_code for b in api.content.find(portal_type="Matter")]
        assert sorted(codes) == sorted(set(codes))
        assert len(codes) == 5

    def test_update_creates_version(self, matter_list, workgroup):
        """An import that changes a matter stores a new version of it."""
        matter = matter_list["jmss"]["xk-t-001"]
        repository = api.portal.get_tool("portal_repository")
        before = repository.getHistoryMetadata(matter).getLength(countPurged=False)
        table = snapshot(matter_list)
        row = next(r for r in table if r[0] == "XK-T-001")
        row[column("fee")] = "50元"
        run_import(matter_list, "list.csv", to_csv(table), apply=True)
        assert matter.fee == "50元"
        assert repository.getHistoryMetadata(matter).getLength(countPurged=False) == before + 1

    def test_dry_run_changes_nothing(self, matter_list, workgroup):
        """A check-only run reports the rows and writes nothing."""
        table = snapshot(matter_list)
        table[1][column("title")] = "改名"
        before = snapshot(matter_list)
        report = run_import(matter_list, "list.csv", to_csv(table), apply=False)
        assert report.ok and len(report.rows) == 5
        assert snapshot(matter_list) == before


BAD_CELLS = [
    ("promised_days", "99", "承诺时限（工作日）"),
    ("code", "bad code", "事项编码"),
    ("statutory_days", "二十", "法定时限（工作日）"),
    ("risk_level", "极低", "风险等级"),
    ("independent_approval", "可能", "适用独立审批"),
    ("state", "删除", "状态"),
    ("materials", "申请书|原件", "申请材料"),
    ("materials", "申请书|原件|零|必要|", "申请材料"),
    ("process_steps", "受理|审批员|两天", "办理流程"),
    ("title", "", "事项名称"),
    ("legal_basis", "", "设定依据"),
]


class TestImportRefusesBadRows:
    """A bad row is reported with line, column and reason, and nothing changes."""

    @pytest.mark.parametrize("key,value,heading", BAD_CELLS)
    def test_bad_cell(self, matter_list, workgroup, key, value, heading):
        """One bad cell in the last row stops the whole import."""
        before = snapshot(matter_list)
        table = [list(row) for row in before]
        table[1][column("fee")] = "这一行本身是好的改动"
        table[-1][column(key)] = value
        report = run_import(matter_list, "list.csv", to_csv(table), apply=True)
        assert not report.ok
        assert [(e.line, e.column) for e in report.errors] == [(len(table), heading)]
        assert snapshot(matter_list) == before

    def test_promised_above_statutory_message(self, matter_list, workgroup, http_request):
        """The reason names both limits."""
        from zope.i18n import translate

        table = snapshot(matter_list)
        table[1][column("promised_days")] = "30"
        report = run_import(matter_list, "list.csv", to_csv(table), apply=True)
        message = translate(report.errors[0].message, context=http_request)
        assert "30" in message and "20" in message

    def test_duplicate_code_in_file(self, matter_list, workgroup):
        """The same code twice in one file is refused."""
        table = snapshot(matter_list)
        table.append(list(table[1]))
        report = run_import(matter_list, "list.csv", to_csv(table), apply=True)
        assert [(e.line, e.column) for e in report.errors] == [(len(table), "事项编码")]

    def test_back_to_draft_refused(self, matter_list, workgroup):
        """A published matter cannot be sent back to draft by import."""
        table = snapshot(matter_list)
        row = next(r for r in table if r[0] == "XK-T-001")
        row[column("state")] = "草稿"
        report = run_import(matter_list, "list.csv", to_csv(table), apply=True)
        assert [e.column for e in report.errors] == ["状态"]
        assert api.content.get_state(matter_list["jmss"]["xk-t-001"]) == "published"

    def test_missing_column(self, matter_list, workgroup):
        """A file without a required column is refused on line 1."""
        table = [row[1:] for row in snapshot(matter_list)]
        report = run_import(matter_list, "list.csv", to_csv(table), apply=True)
        assert [(e.line, e.column) for e in report.errors] == [(1, "事项编码")]

    @pytest.mark.parametrize(
        "filename,data",
        [
            ("list.xlsx", b"PK\x03\x04 not really a zip"),
            ("list.pdf", b"%PDF-1.7"),
            ("list.csv", b"\xff\xfe\x00\x00binary\x00data"),
            ("list.csv", b""),
        ],
    )
    def test_unreadable_file(self, matter_list, workgroup, filename, data):
        """Files that are not spreadsheets get a clear error and change nothing."""
        before = snapshot(matter_list)
        report = run_import(matter_list, filename, data, apply=True)
        assert not report.ok
        assert snapshot(matter_list) == before

    def test_oversized_file(self, matter_list, workgroup):
        """Uploads over 10 MB are refused before parsing."""
        report = run_import(matter_list, "list.csv", b"x" * (10 * 1024 * 1024 + 1), apply=True)
        assert not report.ok


class TestDemoList:
    """The demo list in profiles/demo imports cleanly through the same importer."""

    def test_demo_csv_imports(self, portal, workgroup):
        """At least 40 matters in at least 5 categories, all valid."""
        matter_list = portal["matters"]
        report = run_import(matter_list, DEMO_CSV.name, DEMO_CSV.read_bytes(), apply=True)
        assert report.ok, [(e.line, e.column, e.message) for e in report.errors]
        assert len(report.created) >= 40
        categories = [c for c in matter_list.objectValues() if len(c.objectIds()) >= 6]
        assert len(categories) >= 5
