"""The public matter pages over HTTP, as the public and the working group see them."""

from tests.helpers.approval import PASSWORD

import pytest
import requests


@pytest.fixture
def page(functional_matter_list, functional_portal):
    """GET a page of the portal (not the REST API) as a user, in a language."""
    base = functional_portal.absolute_url()

    def get(path, userid=None, language="zh-CN", **params):
        return requests.get(
            f"{base}/{path}",
            params=params,
            auth=(userid, PASSWORD) if userid else None,
            headers={"Accept-Language": language},
            allow_redirects=False,
            timeout=30,
        )

    return get


class TestMatterListPage:
    """The public list grouped by category."""

    def test_anonymous_sees_published_only(self, page):
        """Published matters are listed, drafts and suspended ones are not."""
        html = page("matters").text
        assert "食品经营许可（新办）" in html and "民办非企业单位成立登记" in html
        assert "烟草制品零售许可" not in html
        assert "出版物零售业务经营许可" not in html

    def test_grouped_by_category(self, page):
        """Each category has its heading, in list order."""
        html = page("matters").text
        assert html.index("经贸商事") < html.index("社会事务")

    def test_search_and_filters(self, page):
        """Search by name, filter by category and on-the-spot."""
        assert "营业执照注销登记" not in page("matters", q="食品").text
        assert "食品经营许可（新办）" in page("matters", q="食品").text
        html = page("matters", on_the_spot="1").text
        assert "营业执照注销登记" in html and "食品经营许可（新办）" not in html
        html = page("matters", category="shsw").text
        assert "民办非企业单位成立登记" in html and "食品经营许可（新办）" not in html

    def test_category_page(self, page):
        """A category page lists its own matters."""
        html = page("matters/shsw").text
        assert "民办非企业单位成立登记" in html and "食品经营许可（新办）" not in html

    @pytest.mark.parametrize("language,label", [("zh-CN", "即办"), ("en", "On the spot")])
    def test_languages(self, page, language, label):
        """The page speaks zh_CN by default and English to English browsers."""
        assert label in page("matters", language=language).text

    def test_manage_links_for_working_group_only(self, page):
        """Import/export links show for the working group, not the public."""
        assert "@@matters-import" in page("matters", userid="workgroup").text
        assert "@@matters-import" not in page("matters").text


class TestMatterPage:
    """A matter with its materials and flowchart."""

    def test_fields_materials_flowchart(self, page):
        """The page shows the legal basis, the materials table and the inline SVG."""
        html = page("matters/jmss/xk-t-001").text
        assert "《中华人民共和国行政许可法》第十二条" in html
        assert "申请书" in html and "可免交" in html
        assert "<svg" in html and 'role="img"' in html
        assert "@@flowchart.svg?download=1" in html

    def test_text_alternative(self, page):
        """The flowchart is also written out as text (ordered steps)."""
        html = page("matters/jmss/xk-t-001", language="en").text
        assert "Former process (several people)" in html
        assert "<ol>" in html

    @pytest.mark.parametrize("path", ["matters/jmss/xk-t-003", "matters/jmss/xk-t-004"])
    def test_unpublished_hidden_from_public(self, page, path):
        """Anonymous cannot open a draft or suspended matter."""
        assert page(path).status_code in (302, 401, 403, 404)

    def test_staff_see_suspended(self, page):
        """The working group can still read a suspended matter (history)."""
        response = page("matters/jmss/xk-t-004", userid="workgroup")
        assert response.status_code == 200
        assert "出版物零售业务经营许可" in response.text

    def test_flowchart_download(self, page):
        """The SVG downloads as a file named after the code."""
        response = page("matters/jmss/xk-t-001/@@flowchart.svg", download="1")
        assert response.headers["Content-Type"].startswith("image/svg+xml")
        assert "XK-T-001-flowchart.svg" in response.headers["Content-Disposition"]
        assert response.text.startswith("<?xml")


class TestImportExportPages:
    """The spreadsheet pages are for the working group."""

    @pytest.mark.parametrize("path", ["matters/@@matters-import", "matters/@@matters-export"])
    @pytest.mark.parametrize("userid", [None, "member", "editor"])
    def test_refused(self, page, path, userid):
        """The public, members and Plone editors cannot import or export."""
        assert page(path, userid=userid).status_code in (302, 401, 403)

    def test_export(self, page):
        """The working group downloads the list as XLSX."""
        response = page("matters/@@matters-export", userid="workgroup", format="xlsx")
        assert response.status_code == 200
        assert response.content[:2] == b"PK"

    def test_import_without_token_refused(self, functional_portal, page):
        """A POST without the CSRF token is refused and changes nothing."""
        response = requests.post(
            f"{functional_portal.absolute_url()}/matters/@@matters-import",
            auth=("workgroup", PASSWORD),
            files={"file": ("list.csv", b"x")},
            timeout=30,
        )
        assert response.status_code == 403


class TestLargeList:
    """A long list shows its categories until the visitor searches or filters."""

    def test_overview_when_long(self, page, monkeypatch):
        """Above the threshold the unfiltered page lists categories with counts, not rows."""
        from zhangdian.approval.browser import matters

        monkeypatch.setattr(matters, "OVERVIEW_THRESHOLD", 2)
        html = page("matters", language="en").text
        assert "choose a category" in html
        assert "食品经营许可（新办）" not in html
        html = page("matters", language="en", q="食品").text
        assert "食品经营许可（新办）" in html

    def test_matters_not_in_navigation(self, functional_portal):
        """Matters stay out of the navigation tree (a category holds hundreds)."""
        from plone import api

        displayed = api.portal.get_registry_record("plone.displayed_types")
        assert "Matter" not in displayed and "MatterCategory" in displayed

    def test_results_paged(self, page, monkeypatch):
        """Long results come a page at a time, with links to the next pages."""
        from zhangdian.approval.browser import matters

        monkeypatch.setattr(matters, "PAGE_SIZE", 2)
        first = page("matters", language="en", on_the_spot="", q="XK")
        second = page("matters", language="en", q="XK", b_start="2")
        codes = ("XK-T-001", "XK-T-002", "XK-T-101")
        shown_first = {code for code in codes if code in first.text}
        shown_second = {code for code in codes if code in second.text}
        assert len(shown_first) == 2 and len(shown_second) == 1
        assert shown_first | shown_second == set(codes)
        assert "b_start" in first.text

    def test_bad_page_number(self, page):
        """A page number that is not a number shows the first page."""
        assert page("matters", b_start="x'<script>").status_code == 200


class TestBadQueryStrings:
    """Odd query strings get an answer, never a traceback."""

    @pytest.mark.parametrize(
        "params",
        [
            {"format": ["csv", "xlsx"]},
            {"format": "pdf"},
        ],
    )
    def test_export_format(self, page, params):
        """An unknown or repeated format is a 400 with a message."""
        response = page("matters/@@matters-export", userid="workgroup", **params)
        assert response.status_code == 400

    @pytest.mark.parametrize(
        "params",
        [
            {"q": ["a", "b"]},
            {"category": ["jmss", "shsw"]},
            {"q": "x" * 5000},
            {"q": '"*()'},
            {"b_start": "-5"},
        ],
    )
    def test_list_page(self, page, params):
        """The list page answers 200 whatever the query string holds."""
        assert page("matters", **params).status_code == 200

    @pytest.mark.parametrize(
        "params",
        [{"b_size": "abc"}, {"b_start": "-5"}, {"q": ["a", "b"]}, {"on_the_spot": "maybe"}],
    )
    def test_matters_endpoint(self, user_request, functional_matter_list, params):
        """@matters answers JSON: 200 or a 400 with a message, never a 500."""
        response = user_request(None).get("@matters", params=params)
        assert response.status_code in (200, 400), response.text
        assert response.headers["Content-Type"].startswith("application/json")
