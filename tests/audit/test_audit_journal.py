"""The audit journal: what is appended, and that any change to it is found and named."""

from cryptography import x509
from plone import api
from plone.app.testing import login
from plone.app.testing import logout
from plone.namedfile.file import NamedBlobFile
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import act
from tests.helpers.approval import complete_checklist
from tests.helpers.approval import decide
from zhangdian.approval.audit.evidence import evidence_bundle
from zhangdian.approval.audit.journal import anchor_head
from zhangdian.approval.audit.journal import entry_hash
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.audit.journal import record
from zhangdian.approval.audit.journal import token_imprint
from zhangdian.approval.audit.journal import tsa_timestamp
from zhangdian.approval.audit.journal import verify_journal
from zhangdian.approval.certificates import fingerprint

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
        return [record("test.event", target=f"T-{n}", after={"n": n})["seq"] for n in range(12)]


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


class TestTampering:
    def test_whole_chain_verifies(self, chain):
        check = verify_journal()
        assert check.ok
        assert check.entries == journal().length

    def test_changed_entry_is_named(self, chain):
        log = journal()
        target = chain[5]
        entry = dict(log.entries[target])
        entry["actor"] = "someone-else"
        log.entries[target] = entry
        assert (verify_journal().broken_at, verify_journal().problem) == (target, "altered")

    def test_changed_entry_with_recomputed_hash_breaks_the_next(self, chain):
        log = journal()
        target = chain[5]
        entry = dict(log.entries[target])
        entry["after"] = {"n": 99}
        entry["hash"] = entry_hash(entry)
        log.entries[target] = entry
        assert (verify_journal().broken_at, verify_journal().problem) == (chain[6], "chain")

    def test_removed_entry_is_named(self, chain):
        log = journal()
        del log.entries[chain[3]]
        assert (verify_journal().broken_at, verify_journal().problem) == (chain[3], "missing")

    def test_reordered_pair_is_named(self, chain):
        log = journal()
        first, second = chain[7], chain[8]
        log.entries[first], log.entries[second] = log.entries[second], log.entries[first]
        assert (verify_journal().broken_at, verify_journal().problem) == (first, "misplaced")

    def test_cut_tail_is_found(self, chain):
        log = journal()
        del log.entries[chain[-1]]
        check = verify_journal()
        assert (check.broken_at, check.problem) == (chain[-1], "truncated")

    def test_rewritten_chain_fails_its_anchor(self, chain):
        anchored = anchor_head()
        log = journal()
        previous = "0" * 64
        for key in list(log.entries.keys()):
            entry = dict(log.entries[key])
            entry["actor"] = "forger"
            entry["prev"] = previous
            entry["hash"] = entry_hash(entry)
            log.entries[key] = entry
            previous = entry["hash"]
        log.head = previous
        check = verify_journal()
        assert (check.broken_at, check.problem) == (chain[-1], "anchor")
        assert anchored["hash"] != previous

    def test_anchor_timestamped_by_the_tsa(self, chain, tsa_url):
        anchor = anchor_head(tsa_timestamp(tsa_url))
        assert token_imprint(anchor["token"]) == anchor["hash"] == journal().head
        assert verify_journal().ok


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
