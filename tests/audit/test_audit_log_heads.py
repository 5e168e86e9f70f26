"""Heads issued after commit, kept outside the database, served to everyone; verification by role."""

from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from tests.helpers.approval import configure_signing
from zhangdian.approval.audit.heads import read_heads_file
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.audit.journal import record
from zhangdian.verify import merkle

import pytest
import transaction


def _commit_entries(count, prefix="T"):
    with api.env.adopt_user(username="workgroup"):
        for n in range(count):
            record("test.event", target=f"{prefix}-{n}", after={"n": n})
    transaction.commit()


@pytest.fixture
def issued(functional_portal, functional_matter_list, tokens, log_env, smtp, clock):
    """Entries committed an hour after the first head: the sequencer issued a second one."""
    clock("2026-03-02 09:00 +0800")
    configure_signing(tokens)
    transaction.commit()
    clock("2026-03-02 10:00 +0800")
    _commit_entries(3)
    return smtp


def test_commit_sequences_and_publishes_a_head(issued):
    log = journal()
    assert (len(log.pending_items()), log.size) == (0, log.length)
    head = log.latest_head()
    assert (head["tree_size"], head["timestamp"]) == (log.size, "2026-03-02T02:00:00Z")
    assert read_heads_file() == list(log.heads.values())
    assert len(log.heads) == 2
    assert any(
        "supervisor@example.org" in recipients
        and head["root_hash"] in message.get_payload(decode=True).decode()
        for recipients, message in issued.messages
    )


def test_no_head_before_the_interval_then_one_after(issued, clock):
    log = journal()
    issued_before = len(log.heads)
    clock("2026-03-02 10:59 +0800")
    _commit_entries(2, "U")
    assert (len(journal().heads), journal().size) == (issued_before, log.length)
    clock("2026-03-02 11:00 +0800")
    _commit_entries(1, "V")
    assert journal().latest_head()["tree_size"] == journal().size
    assert len(read_heads_file()) == issued_before + 1


def test_anonymous_gets_head_and_proof_without_the_entry(issued, user_request, functional_portal):
    anonymous = user_request(None)
    url = functional_portal.absolute_url()
    head = anonymous.get(f"{url}/@audit-log-sth").json()["head"]
    proof = anonymous.get(f"{url}/@audit-log-proof", params={"seq": head["tree_size"]})
    assert proof.status_code == 200, proof.text
    body = proof.json()
    assert "entry" not in body
    entry = journal().sequenced[head["tree_size"]]
    path = [bytes.fromhex(node) for node in body["audit_path"]]
    leaf = merkle.leaf_hash(merkle.leaf_bytes(entry))
    assert merkle.verify_inclusion(
        body["leaf_index"], body["tree_size"], leaf, path, bytes.fromhex(head["root_hash"])
    )
    refused = anonymous.get(f"{url}/@audit-log-verify")
    assert refused.status_code == 401


def test_auditor_gets_the_entry_and_verifies(issued, user_request, functional_portal):
    auditor = user_request("auditor")
    url = functional_portal.absolute_url()
    size = journal().size
    proof = auditor.get(f"{url}/@audit-log-proof", params={"seq": size}).json()
    assert proof["entry"]["target"] == "T-2"
    assert auditor.get(f"{url}/@audit-log-verify").json()["ok"] is True


@pytest.mark.parametrize("userid", ["approver1", "workgroup", "member"])
def test_others_may_not_verify(issued, user_request, functional_portal, userid):
    answer = user_request(userid).get(f"{functional_portal.absolute_url()}/@audit-log-verify")
    assert answer.status_code in (401, 403)


def test_bad_proof_queries_are_refused(issued, user_request, functional_portal):
    anonymous = user_request(None)
    url = functional_portal.absolute_url()
    for params in ({"seq": "0"}, {"seq": "x"}, {"seq": "1", "tree_size": "999999"}):
        assert anonymous.get(f"{url}/@audit-log-proof", params=params).status_code == 400
    bad = anonymous.get(f"{url}/@audit-log-consistency", params={"first": "1", "second": "2"})
    assert bad.status_code == 400


def test_a_database_missing_a_published_head_is_named(issued, user_request, functional_portal):
    head = journal().latest_head()
    # What an undo of the head's transaction or an older backup leaves: the head is gone.
    del journal().heads[head["tree_size"]]
    transaction.commit()
    answer = user_request("auditor").get(f"{functional_portal.absolute_url()}/@audit-log-verify")
    body = answer.json()
    assert (body["ok"], body["problem"], body["head"]) == (False, "missing_head", head["tree_size"])


def test_anonymous_sees_the_heads_page_linked_from_verification(
    issued, user_request, functional_portal
):
    anonymous = user_request(None)
    url = functional_portal.absolute_url()
    verify_page = anonymous.get(f"{url}/@@verify-decision")
    assert f"{url}/@@audit-log-heads" in verify_page.text
    page = anonymous.get(f"{url}/@@audit-log-heads")
    assert page.status_code == 200
    for head in journal().heads.values():
        assert head["root_hash"] in page.text
    assert "BEGIN PUBLIC KEY" in page.text
    assert page.text.count("zd-head-size") == len(journal().heads)


def test_consistency_between_the_two_heads_holds(issued, user_request, functional_portal):
    first, second = journal().heads.values()
    answer = user_request(None).get(
        f"{functional_portal.absolute_url()}/@audit-log-consistency",
        params={"first": first["tree_size"], "second": second["tree_size"]},
    )
    assert answer.status_code == 200, answer.text
    proof = [bytes.fromhex(node) for node in answer.json()["consistency_path"]]
    assert merkle.verify_consistency(
        first["tree_size"],
        second["tree_size"],
        bytes.fromhex(first["root_hash"]),
        bytes.fromhex(second["root_hash"]),
        proof,
    )


def test_an_entry_is_proved_against_an_older_head(issued, user_request, functional_portal):
    first = next(iter(journal().heads.values()))
    answer = user_request(None).get(
        f"{functional_portal.absolute_url()}/@audit-log-proof",
        params={"seq": 1, "tree_size": first["tree_size"]},
    )
    body = answer.json()
    leaf = merkle.leaf_hash(merkle.leaf_bytes(journal().sequenced[1]))
    path = [bytes.fromhex(node) for node in body["audit_path"]]
    assert merkle.verify_inclusion(
        0, first["tree_size"], leaf, path, bytes.fromhex(first["root_hash"])
    )


@pytest.mark.parametrize("userid", ["approver1", "workgroup", "siteadmin", "admin"])
def test_nobody_writes_the_log_or_issues_a_head_over_rest(
    issued, user_request, functional_portal, userid
):
    session = user_request(None if userid == "admin" else userid)
    if userid == "admin":
        session.auth = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
    url = functional_portal.absolute_url()
    heads = dict(journal().heads)
    for name in ("@audit-log-sth", "@audit-log-proof", "@audit-log-verify", "@audit-journal"):
        for method in ("post", "patch", "put", "delete"):
            answer = getattr(session, method)(f"{url}/{name}", json={"tree_size": 1})
            assert answer.status_code >= 400, (name, method, answer.status_code)
    transaction.begin()
    assert dict(journal().heads) == heads
