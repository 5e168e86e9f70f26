"""What our views and services must not tell those who may not read it."""

import pytest


class TestAuthorizationCheckDrafts:
    """@authorization-check does not reveal draft matters."""

    @pytest.mark.parametrize("who", ["member", "approver1"])
    def test_draft_is_unknown_to_those_who_cannot_read_it(
        self, functional_granted, user_request, who
    ):
        """A draft's code answers like an unknown code, without its title."""
        response = user_request(who).get("@authorization-check", params={"matter": "XK-T-003"})
        assert response.status_code == 404
        assert response.json()["type"] == "NotFound"
        assert "烟草" not in response.text

    def test_working_group_still_sees_drafts(self, functional_granted, user_request):
        """Those who may read the draft get the verdict."""
        response = user_request("workgroup").get(
            "@authorization-check", params={"matter": "XK-T-003"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["matter"]["title"] == "烟草制品零售许可"
