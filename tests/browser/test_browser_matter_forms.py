"""The working group's add form for matters, through real HTTP form posts."""

from tests.helpers.approval import PASSWORD

import pytest
import re
import requests
import transaction


@pytest.fixture
def add_form(functional_matter_list, functional_portal):
    """Open the add form as `userid`; return (session, form url, authenticator token)."""
    url = f"{functional_portal.absolute_url()}/matters/jmss/++add++Matter"

    def open_form(userid, language="zh-CN"):
        session = requests.Session()
        session.auth = (userid, PASSWORD)
        session.headers["Accept-Language"] = language
        response = session.get(url, timeout=30)
        token = re.search(r'name="_authenticator" type="hidden" value="(\w+)"', response.text)
        return session, url, response, token.group(1) if token else None

    return open_form


def form_data(token, **overrides):
    """A complete add-form submission for a valid matter."""
    data = {
        "_authenticator": token,
        "form.widgets.code": "XK-UI-001",
        "form.widgets.IBasic.title": "界面新增事项",
        "form.widgets.legal_basis": "《中华人民共和国行政许可法》",
        "form.widgets.statutory_days": "20",
        "form.widgets.promised_days": "5",
        "form.widgets.risk_level:list": "low",
        "form.widgets.risk_level-empty-marker": "1",
        "form.widgets.materials.count": "0",
        "form.widgets.process_steps.count": "0",
        "form.widgets.former_steps.count": "0",
        "form.buttons.save": "Save",
    }
    data.update(overrides)
    return data


class TestMatterAddForm:
    """Adding a matter in the Classic UI."""

    def test_workgroup_adds_matter(self, add_form, functional_matter_list):
        """A valid submission creates a draft named after the code."""
        session, url, response, token = add_form("workgroup")
        assert response.status_code == 200 and token
        response = session.post(url, data=form_data(token), timeout=30)
        assert response.status_code == 200
        transaction.begin()
        assert "xk-ui-001" in functional_matter_list["jmss"]

    def test_promised_above_statutory_shown(self, add_form, functional_matter_list):
        """The form explains the rule in Chinese and stores nothing."""
        session, url, _response, token = add_form("workgroup")
        response = session.post(
            url, data=form_data(token, **{"form.widgets.promised_days": "30"}), timeout=30
        )
        assert "30" in response.text and "20" in response.text
        assert "承诺时限" in response.text
        transaction.begin()
        assert "xk-ui-001" not in functional_matter_list["jmss"]

    def test_duplicate_code_shown(self, add_form, functional_matter_list):
        """A code that exists is refused on the form."""
        session, url, _response, token = add_form("workgroup", language="en")
        response = session.post(
            url, data=form_data(token, **{"form.widgets.code": "XK-T-001"}), timeout=30
        )
        assert "unique" in response.text
        transaction.begin()
        assert len(functional_matter_list["jmss"].objectIds()) == 4

    @pytest.mark.parametrize("userid", ["member", "editor", "siteadmin"])
    def test_others_cannot_open_form(self, add_form, userid):
        """Only the working group and Manager get the form."""
        _session, _url, response, _token = add_form(userid)
        refused = response.status_code in (401, 403) or "insufficient-privileges" in response.url
        assert refused and "form.widgets.code" not in response.text
