"""Wrong PINs for a server token are counted by the portal, which locks before the token does."""

from plone import api
from tests.application.test_application_decision import sign
from tests.helpers.approval import PIN
from tests.helpers.approval import RSA_TOKEN
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.signing import decision
from zhangdian.approval.signing.pin_attempts import MAX_WRONG_PINS
from zhangdian.approval.signing.pin_attempts import attempts

import transaction


WRONG_PIN = "000000"


def journalled(since, prefix="signing.pin_"):
    """The journal entries about PINs appended after entry `since`."""
    log = journal()
    entries = [log.entries[seq] for seq in range(since + 1, log.length + 1)]
    return [entry for entry in entries if entry["action"].startswith(prefix)]


def token_calls(monkeypatch):
    """Every call the portal makes to a token, by function name."""
    calls = []
    for name in ("token_certificate", "sign_data_with_token"):
        real = getattr(decision, name)

        def counted(*args, real=real, name=name):
            calls.append(name)
            return real(*args)

        monkeypatch.setattr(decision, name, counted)
    return calls


class TestPinAttempts:
    def test_locks_after_five_wrong_pins_until_the_working_group_unlocks(
        self, accepted, functional_portal, user_request, monkeypatch
    ):
        transaction.begin()
        since = journal().length
        approver = user_request("approver1")
        for _attempt in range(MAX_WRONG_PINS):
            response = sign(approver, accepted, "approve", pin=WRONG_PIN)
            assert response.status_code == 401, response.text
            assert response.json()["type"] == "wrong_pin"
        transaction.begin()
        assert attempts(RSA_TOKEN)["wrong"] == MAX_WRONG_PINS
        assert attempts(RSA_TOKEN)["locked_at"].startswith("2026-03-02T12:00:00")
        counted = journalled(since)
        assert [entry["action"] for entry in counted] == ["signing.pin_wrong"] * MAX_WRONG_PINS
        assert [entry["after"] for entry in counted] == [
            {"wrong": n, "locked": n == MAX_WRONG_PINS} for n in range(1, MAX_WRONG_PINS + 1)
        ]
        assert {entry["actor"] for entry in counted} == {"approver1"}
        assert {entry["target"] for entry in counted} == {RSA_TOKEN}

        calls = token_calls(monkeypatch)
        refused = sign(approver, accepted, "approve", pin=PIN)
        assert refused.status_code == 423, refused.text
        assert refused.json()["type"] == "pin_attempts_exceeded"
        assert RSA_TOKEN in refused.json()["message"]
        assert calls == []
        transaction.begin()
        application = functional_portal["applications"][accepted.rsplit("/", 1)[1]]
        assert api.content.get_state(application) == "accepted"

        site = functional_portal.absolute_url()
        body = {"label": RSA_TOKEN, "reason": "身份已核实"}
        assert approver.post(f"{site}/@pin-unlock", json=body).status_code in (401, 403)
        unlocked = user_request("workgroup").post(f"{site}/@pin-unlock", json=body)
        assert unlocked.status_code == 200, unlocked.text
        assert unlocked.json() == {"label": RSA_TOKEN, "wrong_pins": 5, "was_locked": True}
        transaction.begin()
        unlock_entry = journalled(since)[-1]
        assert unlock_entry["action"] == "signing.pin_unlock"
        assert unlock_entry["actor"] == "workgroup"
        assert unlock_entry["before"]["wrong"] == MAX_WRONG_PINS
        assert unlock_entry["after"] == {"reason": "身份已核实"}
        again = user_request("workgroup").post(f"{site}/@pin-unlock", json=body)
        assert again.status_code == 404

        signed = sign(approver, accepted, "approve", pin=PIN)
        assert signed.status_code == 200, signed.text
        assert calls == ["token_certificate", "sign_data_with_token"]
        transaction.begin()
        assert api.content.get_state(application) == "approved"

    def test_a_right_pin_resets_the_count(self, accepted, user_request):
        approver = user_request("approver1")
        for _attempt in range(MAX_WRONG_PINS - 1):
            assert sign(approver, accepted, "approve", pin=WRONG_PIN).status_code == 401
        transaction.begin()
        assert attempts(RSA_TOKEN)["wrong"] == MAX_WRONG_PINS - 1
        assert sign(approver, accepted, "approve", pin=PIN).status_code == 200
        transaction.begin()
        assert attempts(RSA_TOKEN) == {"wrong": 0, "locked_at": None}

    def test_a_pin_no_token_takes_is_refused_and_not_counted(
        self, accepted, user_request, monkeypatch
    ):
        calls = token_calls(monkeypatch)
        refused = sign(user_request("approver1"), accepted, "approve", pin="1" * 256)
        assert refused.status_code == 400, refused.text
        assert refused.json()["type"] == "bad_request"
        assert calls == []
        transaction.begin()
        assert attempts(RSA_TOKEN) == {"wrong": 0, "locked_at": None}
