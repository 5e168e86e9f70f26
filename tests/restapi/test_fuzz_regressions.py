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


class TestMattersBatch:
    """@matters refuses a batch it cannot make with a 400 instead of a 500."""

    @pytest.mark.parametrize(
        "params",
        [{"b_size": "-1"}, {"b_size": "0"}, {"b_start": "-5"}, {"b_size": "abc"}],
    )
    def test_bad_batch(self, functional_matter_list, user_request, params):
        """The error body names both parameters."""
        response = user_request(None).get("@matters", params=params)
        assert response.status_code == 400, response.text
        assert response.json()["type"] == "BadRequest"
        assert "b_size" in response.json()["message"]

    def test_good_batch(self, functional_matter_list, user_request):
        """A valid batch is unchanged."""
        response = user_request(None).get("@matters", params={"b_start": "1", "b_size": "1"})
        assert response.status_code == 200
        assert len(response.json()["items"]) == 1
