"""The matter list over REST: @matters, matter serialization, @flowchart, writes."""

from tests.helpers.approval import make_matter_data

import pytest
import transaction


class TestMattersEndpoint:
    """GET @matters returns the published list with filters."""

    @pytest.fixture(autouse=True)
    def _setup(self, functional_matter_list, user_request):
        self.anon = user_request(None)
        self.workgroup = user_request("workgroup")

    def codes(self, response):
        """The codes of the matters in a @matters response."""
        assert response.status_code == 200, response.text
        return [item["code"] for item in response.json()["items"]]

    @pytest.mark.parametrize("who", [None, "workgroup"])
    def test_published_only(self, user_request, who):
        """Drafts and suspended matters are never listed, whoever asks."""
        response = user_request(who).get("@matters")
        assert self.codes(response) == ["XK-T-001", "XK-T-002", "XK-T-101"]
        assert response.json()["items_total"] == 3

    def test_filter_category(self):
        """category= narrows the list to one category."""
        assert self.codes(self.anon.get("@matters", params={"category": "shsw"})) == ["XK-T-101"]

    def test_filter_on_the_spot(self):
        """on_the_spot=1 lists only matters decided on the spot."""
        assert self.codes(self.anon.get("@matters", params={"on_the_spot": "1"})) == ["XK-T-002"]

    @pytest.mark.parametrize(
        "text,expected",
        [
            ("食品", ["XK-T-001"]),
            ("食品经营", ["XK-T-001"]),
            ("民办非企业", ["XK-T-101"]),
            ("xk-t-002", ["XK-T-002"]),
            ("烟草", []),
            ("没有这个事项", []),
        ],
    )
    def test_search(self, text, expected):
        """q= finds matters by name or code; drafts stay hidden."""
        assert self.codes(self.anon.get("@matters", params={"q": text})) == expected

    def test_item_shape(self):
        """Each item carries what the list page shows."""
        item = self.anon.get("@matters", params={"q": "XK-T-001"}).json()["items"][0]
        assert item["title"] == "食品经营许可（新办）"
        assert item["category"] == {"id": "jmss", "title": "经贸商事"}
        assert (item["promised_days"], item["statutory_days"], item["on_the_spot"]) == (
            5,
            20,
            False,
        )
        assert item["independent_approval"] is True

    def test_batching(self):
        """Large lists are batched."""
        data = self.anon.get("@matters", params={"b_size": 2}).json()
        assert len(data["items"]) == 2
        assert data["items_total"] == 3
        assert "next" in data["batching"]


class TestMatterSerialization:
    """A matter's own REST representation."""

    @pytest.fixture(autouse=True)
    def _setup(self, functional_matter_list, user_request):
        self.anon = user_request(None)

    def test_all_fields(self):
        """Anonymous gets every field of a published matter."""
        response = self.anon.get("matters/jmss/xk-t-001")
        assert response.status_code == 200
        data = response.json()
        assert data["code"] == "XK-T-001"
        assert data["materials"][0]["name"] == "申请书"
        assert data["former_steps"][2]["days"] == 10
        assert data["risk_level"]["token"] == "low"

    @pytest.mark.parametrize("path", ["matters/jmss/xk-t-003", "matters/jmss/xk-t-004"])
    def test_unpublished_hidden(self, path):
        """Draft and suspended matters are not readable anonymously."""
        assert self.anon.get(path).status_code in (401, 403, 404)

    def test_flowchart(self):
        """@flowchart answers the SVG with both paths and a text alternative."""
        response = self.anon.get("matters/jmss/xk-t-001/@flowchart")
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("image/svg+xml")
        svg = response.text
        assert '<title id="flowchart-title">' in svg
        assert "受理审查决定" in svg and "科室负责人" in svg

    def test_flowchart_of_draft_hidden(self):
        """The flowchart of a draft is as hidden as the draft."""
        assert self.anon.get("matters/jmss/xk-t-003/@flowchart").status_code in (401, 403, 404)


class TestMatterWrites:
    """Creating and editing matters over REST goes through the same rules."""

    @pytest.fixture(autouse=True)
    def _setup(self, functional_matter_list, user_request):
        self.matter_list = functional_matter_list
        self.user_request = user_request

    def post_matter(self, userid, language="zh-CN", **overrides):
        """POST a new matter into 经贸商事 as `userid`."""
        data = make_matter_data("XK-T-500", "新增事项", 2, 10)
        data.update(overrides)
        data["@type"] = "Matter"
        session = self.user_request(userid)
        session.headers["Accept-Language"] = language
        return session.post("matters/jmss", json=data)

    def count(self):
        """The number of matters in 经贸商事, read from the database."""
        transaction.begin()
        return len(self.matter_list["jmss"].objectIds())

    def test_workgroup_creates(self):
        """The working group adds a matter; it starts as a draft named after its code."""
        response = self.post_matter("workgroup")
        assert response.status_code == 201, response.text
        assert response.json()["@id"].endswith("/matters/jmss/xk-t-500")
        assert response.json()["review_state"] == "draft"

    @pytest.mark.parametrize("userid", [None, "member", "editor", "siteadmin", "auditor"])
    def test_others_cannot_create(self, userid):
        """Nobody else can add a matter."""
        before = self.count()
        response = self.post_matter(userid)
        assert response.status_code in (401, 403)
        assert self.count() == before

    def test_promised_above_statutory(self):
        """promised > statutory is refused with a clear message and nothing stored."""
        before = self.count()
        response = self.post_matter("workgroup", promised_days=30, statutory_days=20)
        assert response.status_code == 400
        assert response.json()["type"] == "BadRequest"
        assert (
            "承诺时限（30 个工作日）不得超过法定时限（20 个工作日）" in response.json()["message"]
        )
        assert self.count() == before

    def test_patch_promised_above_statutory(self):
        """Editing only the promised days is checked against the stored statutory days."""
        response = self.user_request("workgroup").patch(
            "matters/jmss/xk-t-001", json={"promised_days": 25}
        )
        assert response.status_code == 400
        transaction.begin()
        assert self.matter_list["jmss"]["xk-t-001"].promised_days == 5

    def test_duplicate_code(self):
        """A code already used by another matter is refused."""
        before = self.count()
        response = self.post_matter("workgroup", language="en", code="XK-T-101")
        assert response.status_code == 400, response.text
        assert "unique" in response.json()["message"]
        assert self.count() == before

    def test_patch_to_other_code_refused(self):
        """Renaming a matter's code onto another matter's code is refused."""
        response = self.user_request("workgroup").patch(
            "matters/jmss/xk-t-001", json={"code": "XK-T-002"}
        )
        assert response.status_code == 400

    def test_patch_keeps_own_code(self):
        """Sending a matter's own code back is fine."""
        response = self.user_request("workgroup").patch(
            "matters/jmss/xk-t-001", json={"code": "XK-T-001", "fee": "100元"}
        )
        assert response.status_code == 204, response.text

    def test_bad_code_format(self):
        """A malformed code is refused."""
        response = self.post_matter("workgroup", code="bad code!")
        assert response.status_code == 400

    def test_editor_cannot_patch(self):
        """A Plone Editor is not the working group."""
        response = self.user_request("editor").patch("matters/jmss/xk-t-001", json={"fee": "1元"})
        assert response.status_code in (401, 403)

    @pytest.mark.parametrize(
        "userid,allowed", [("workgroup", True), ("editor", False), ("member", False)]
    )
    def test_workflow_over_rest(self, userid, allowed):
        """Suspending over @workflow is for the working group only; a refusal changes nothing."""
        response = self.user_request(userid).post("matters/jmss/xk-t-001/@workflow/suspend")
        transaction.begin()
        state = self.matter_list["jmss"]["xk-t-001"].portal_workflow.getInfoFor(
            self.matter_list["jmss"]["xk-t-001"], "review_state"
        )
        if allowed:
            assert response.status_code == 200
            assert state == "suspended"
        else:
            # plone.restapi answers a transition the guard refuses with 400.
            assert response.status_code in (400, 401, 403)
            assert state == "published"
