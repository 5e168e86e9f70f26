"""The audit journal: what is appended, and that any change to it is found and named."""

from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from plone.namedfile.file import NamedBlobFile
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import act
from tests.helpers.approval import complete_checklist
from tests.helpers.approval import decide
from zhangdian.approval.audit.evidence import evidence_bundle
from zhangdian.approval.audit.heads import issue_head
from zhangdian.approval.audit.heads import signature_holds
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.audit.journal import leaf_of
from zhangdian.approval.audit.journal import record
from zhangdian.approval.audit.journal import sequence
from zhangdian.approval.audit.journal import token_imprint
from zhangdian.approval.audit.journal import verify_journal
from zhangdian.approval.audit.tree import LogTree
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.settings import set_signing_setting
from zhangdian.verify import merkle

import hashlib
import io
import json
import pytest
import requests
import transaction
import zipfile


@pytest.fixture
def decided(portal, keys, submit, clock):
    """An application submitted, accepted and approved (signed) by approver1."""
    clock("2026-03-02")
    application = submit("XK-T-001")
    login(portal, "member")
    try:
        api.content.create(
            container=application,
            type="SubmittedMaterial",
            material="m0",
            title="申请书",
            file=NamedBlobFile(data=b"%PDF-1.4 form", filename="../申请书.pdf"),
        )
    finally:
        logout()
    act(portal, application, "accept", "approver1")
    complete_checklist(application)
    decide(portal, application, "approve", "approver1")
    return application


@pytest.fixture
def chain(portal, matter_list):
    """Twelve entries appended to the journal; returns their sequence numbers."""
    with api.env.adopt_user(username="workgroup"):
        numbers = [record("test.event", target=f"T-{n}", after={"n": n})["seq"] for n in range(12)]
    sequence()
    return numbers


def rebuild_tree(log):
    """What a console editor covering their tracks does: the tree recomputed from the entries."""
    log.tree = LogTree()
    for entry in log.sequenced.values():
        log.tree.append(leaf_of(entry))


class TestAppended:
    def test_decision_is_journalled_with_its_certificate(self, decided, keys):
        entries = list(journal().entries.values())
        mine = [e for e in entries if e["target"] == decided.number]
        assert [e["action"] for e in mine] == [
            "application.submitted",
            "application.accept",
            "application.approve",
        ]
        approval = mine[-1]
        assert approval["actor"] == "approver1"
        assert approval["before"] == {"state": "accepted"}
        assert approval["after"]["state"] == "approved"
        assert approval["fingerprint"] == fingerprint(keys.certs["approver1"])
        assert approval["after"]["document_sha256"] == decided.signature["document_sha256"]
        assert verify_journal().ok

    def test_authorization_changes_are_journalled(self, portal, approvers):
        actions = [e["action"] for e in journal().entries.values()]
        assert "authorization.created" in actions
        assert "authorization.grant" in actions


class TestEvidence:
    def test_bundle_holds_everything_with_a_manifest(self, decided, keys):
        bundle = zipfile.ZipFile(io.BytesIO(evidence_bundle(decided)))
        names = set(bundle.namelist())
        assert {
            "application.json",
            "decision.pdf",
            "signature.json",
            "signer-certificate.der",
            "journal.json",
            "manifest.json",
            "materials/01-申请书.pdf",  # the upload kept the base name only
        } <= names
        manifest = json.loads(bundle.read("manifest.json"))
        for name, digest in manifest["files"].items():
            assert hashlib.sha256(bundle.read(name)).hexdigest() == digest
        assert manifest["journal"]["whole"] is True
        certificate = x509.load_der_x509_certificate(bundle.read("signer-certificate.der"))
        assert fingerprint(certificate) == fingerprint(keys.certs["approver1"])
        actions = [e["action"] for e in json.loads(bundle.read("journal.json"))]
        assert actions[-1] == "application.approve"
        record = json.loads(bundle.read("application.json"))
        assert record["review_state"] == "approved"
        assert record["legal_basis_confirmed"] is True

    def test_bundle_proves_every_entry_against_the_signed_head(self, decided, log_key):
        sequence()
        issue_head()
        bundle = zipfile.ZipFile(io.BytesIO(evidence_bundle(decided)))
        head = json.loads(bundle.read("log/head.json"))
        public_key = load_pem_public_key(bundle.read("log/log-key.pem"))
        assert signature_holds(head, public_key)
        proofs = json.loads(bundle.read("log/proofs.json"))
        assert {proof["entry"]["action"] for proof in proofs} >= {"application.approve"}
        root = bytes.fromhex(head["root_hash"])
        for proof in proofs:
            path = [bytes.fromhex(node) for node in proof["audit_path"]]
            leaf = leaf_of(proof["entry"])
            assert merkle.verify_inclusion(proof["leaf_index"], head["tree_size"], leaf, path, root)
        assert all(proof["entry"]["target"] == decided.number for proof in proofs)

    def test_no_log_files_before_the_first_head(self, decided):
        names = zipfile.ZipFile(io.BytesIO(evidence_bundle(decided))).namelist()
        assert not [name for name in names if name.startswith("log/")]


class TestTampering:
    def test_whole_log_verifies(self, chain):
        check = verify_journal()
        assert check.ok
        assert check.entries == journal().length == journal().size

    def test_changed_entry_is_named(self, chain):
        log = journal()
        target = chain[5]
        log.sequenced[target] = {**log.sequenced[target], "actor": "someone-else"}
        assert (verify_journal().broken_at, verify_journal().problem) == (target, "altered")

    def test_changed_entry_with_rebuilt_tree_contradicts_the_head(self, chain, log_key):
        head = issue_head()
        log = journal()
        log.sequenced[chain[5]] = {**log.sequenced[chain[5]], "after": {"n": 99}}
        rebuild_tree(log)
        check = verify_journal()
        assert (check.problem, check.head) == ("root_mismatch", head["tree_size"])

    def test_removed_entry_is_named(self, chain):
        log = journal()
        del log.sequenced[chain[3]]
        assert (verify_journal().broken_at, verify_journal().problem) == (chain[3], "missing")

    def test_reordered_pair_is_named(self, chain):
        log = journal()
        first, second = chain[7], chain[8]
        log.sequenced[first], log.sequenced[second] = log.sequenced[second], log.sequenced[first]
        assert (verify_journal().broken_at, verify_journal().problem) == (first, "misplaced")

    def test_inserted_entry_is_named(self, chain):
        log = journal()
        entries = list(log.sequenced.values())
        at = chain[4] - 1
        forged = {**entries[at], "action": "test.forged"}
        for seq, entry in enumerate([*entries[:at], forged, *entries[at:]], start=1):
            log.sequenced[seq] = {**entry, "seq": seq}
        assert (verify_journal().broken_at, verify_journal().problem) == (chain[4], "altered")

    def test_cut_tail_is_found(self, chain):
        log = journal()
        del log.sequenced[chain[-1]]
        check = verify_journal()
        assert (check.broken_at, check.problem) == (chain[-1], "truncated")

    def test_cut_tail_with_rebuilt_tree_and_heads_misses_the_outside_head(self, chain, log_key):
        outside = [issue_head()]
        log = journal()
        del log.sequenced[chain[-1]]
        rebuild_tree(log)
        log.heads.clear()
        check = verify_journal(outside_heads=outside)
        assert (check.problem, check.head) == ("missing_head", outside[0]["tree_size"])

    def test_forged_head_signature_is_named(self, chain, log_key):
        head = issue_head()
        journal().heads[head["tree_size"]] = {**head, "timestamp": "2030-01-01T00:00:00Z"}
        check = verify_journal()
        assert (check.problem, check.head) == ("bad_signature", head["tree_size"])

    def test_head_timestamped_by_the_tsa(self, chain, log_key, tsa_url):
        set_signing_setting("timestamp_url", tsa_url)
        head = issue_head()
        digest = hashlib.sha256(merkle.head_bytes(head)).hexdigest()
        assert token_imprint(head["timestamp_token"]) == digest
        assert verify_journal().ok


class TestProofs:
    def test_inclusion_proof_holds_and_fails_for_a_changed_entry(self, chain, log_key):
        head = issue_head()
        log = journal()
        index = chain[5] - 1
        path = log.tree.inclusion_path(index, head["tree_size"])
        root = bytes.fromhex(head["root_hash"])
        entry = log.sequenced[chain[5]]
        assert merkle.verify_inclusion(index, head["tree_size"], leaf_of(entry), path, root)
        changed = {**entry, "actor": "someone-else"}
        assert not merkle.verify_inclusion(index, head["tree_size"], leaf_of(changed), path, root)

    def test_stored_proofs_are_the_reference_proofs(self, chain):
        log = journal()
        leaves = [leaf_of(entry) for entry in log.sequenced.values()]
        assert log.tree.root() == merkle.root(leaves)
        assert log.tree.inclusion_path(3, 12) == merkle.inclusion_path(3, leaves[:12])
        assert log.tree.consistency_proof(5, 12) == merkle.consistency_proof(5, leaves[:12])

    def test_consistency_fails_between_heads_of_a_rewritten_log(self, chain, log_key, clock):
        first = issue_head()
        log = journal()
        log.sequenced[2] = {**log.sequenced[2], "actor": "forger"}
        with api.env.adopt_user(username="workgroup"):
            record("test.event", target="T-late")
        sequence()
        rebuild_tree(log)
        second = issue_head()
        proof = log.tree.consistency_proof(first["tree_size"], second["tree_size"])
        assert not merkle.verify_consistency(
            first["tree_size"],
            second["tree_size"],
            bytes.fromhex(first["root_hash"]),
            bytes.fromhex(second["root_hash"]),
            proof,
        )


class TestReading:
    def test_auditor_reads_and_verifies_member_cannot(
        self, functional_portal, functional_matter_list
    ):
        with api.env.adopt_user(username="workgroup"):
            record("test.event", target="T-1")
        transaction.commit()
        url = f"{functional_portal.absolute_url()}/@audit-journal"
        headers = {"Accept": "application/json"}
        auditor = requests.get(
            url, params={"verify": "1"}, auth=("auditor", PASSWORD), headers=headers, timeout=30
        )
        assert auditor.status_code == 200, auditor.text
        body = auditor.json()
        assert body["verification"]["ok"] is True
        assert body["items"][0]["target"] == "T-1"
        member = requests.get(url, auth=("member", PASSWORD), headers=headers, timeout=30)
        assert member.status_code in (401, 403)
        bad = requests.get(
            url, params={"b_size": "0"}, auth=("auditor", PASSWORD), headers=headers, timeout=30
        )
        assert bad.status_code == 400

    def test_auditor_page(self, functional_portal, functional_matter_list):
        with api.env.adopt_user(username="workgroup"):
            record("test.event", target="T-PAGE")
        transaction.commit()
        url = f"{functional_portal.absolute_url()}/@@audit-journal"
        page = requests.get(url, params={"verify": "1"}, auth=("auditor", PASSWORD), timeout=30)
        assert page.status_code == 200
        assert "T-PAGE" in page.text
        assert "alert-success" in page.text
        member = requests.get(url, auth=("member", PASSWORD), timeout=30)
        assert "T-PAGE" not in member.text  # the login form, not the journal
