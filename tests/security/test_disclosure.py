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


class TestMatterCodesVocabulary:
    """@vocabularies/zhangdian.approval.matter_codes lists what the user may read."""

    @pytest.mark.parametrize("who", [None, "member"])
    def test_no_drafts_for_the_public(self, functional_matter_list, user_request, who):
        """The matters they may read: the published ones."""
        response = user_request(who).get(
            "@vocabularies/zhangdian.approval.matter_codes", params={"b_size": 100}
        )
        assert response.status_code == 200, response.text
        tokens = {item["token"] for item in response.json()["items"]}
        assert tokens == {"XK-T-001", "XK-T-002", "XK-T-101"}

    def test_working_group_gets_drafts(self, functional_matter_list, user_request):
        """The working group, who scopes authorisations, still sees every matter."""
        response = user_request("workgroup").get(
            "@vocabularies/zhangdian.approval.matter_codes", params={"b_size": 100}
        )
        tokens = {item["token"] for item in response.json()["items"]}
        assert "XK-T-003" in tokens
