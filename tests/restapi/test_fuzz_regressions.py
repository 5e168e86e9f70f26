"""Answers schemathesis (tests/fuzz/run_schemathesis.py) found wrong, each now pinned."""

import pytest


class TestMatterSearchText:
    """Search text the catalog's text index cannot parse finds nothing instead of a 500."""

    @pytest.mark.parametrize("text", ["\b&", "&", "AND", "NOT", "食品 OR", "( )"])
    def test_rest(self, functional_matter_list, user_request, text):
        """@matters answers 200 with the matches, if any."""
        response = user_request(None).get("@matters", params={"q": text})
        assert response.status_code == 200, response.text
        assert response.json()["items_total"] == len(response.json()["items"])

    def test_page(self, functional_matter_list, request_factory):
        """The matter-list page too."""
        page = request_factory(api=False)
        page.headers["Accept"] = "text/html"
        response = page.get("matters/@@matter-list", params={"q": "\b&"})
        assert response.status_code == 200
