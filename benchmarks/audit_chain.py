"""The audit log at 1,000,000 entries: append, prove, issue a head; against the former chain.

Pure Python against the code the portal runs (`record`'s pending insert, the sequencer, the
stored tree's proofs, `verify_journal`, `issue_head` signing on a SoftHSM2 token when one is
installed) over in-memory BTrees, so the figures are the CPU cost of the checks themselves.
The former linear chain is verified the way profile 1006 did (every entry's SHA-256 and link)
in the same run. Prints a table; asserts nothing about speed. JOURNAL_ENTRIES to scale down.
"""

from datetime import UTC
from datetime import datetime
from zhangdian.approval.audit.heads import issue_head
from zhangdian.approval.audit.journal import GENESIS
from zhangdian.approval.audit.journal import Journal
from zhangdian.approval.audit.journal import add_pending
from zhangdian.approval.audit.journal import entry_hash
from zhangdian.approval.audit.journal import leaf_of
from zhangdian.approval.audit.journal import sequence
from zhangdian.approval.audit.journal import verify_journal
from zhangdian.approval.supervision.spot_checks import draw
from zhangdian.verify import merkle

import os
import random
import shutil
import tempfile
import time


ENTRIES = int(os.environ.get("JOURNAL_ENTRIES", "1000000"))
CASES = int(os.environ.get("DECIDED_CASES", "100000"))
APPROVERS = 40
PROOFS = 1000


def entry_of(sequence_number):
    """An entry shaped like the portal's decisions."""
    return {
        "at": "2026-03-02T10:00:00+08:00",
        "actor": f"approver{sequence_number % APPROVERS}",
        "action": "application.approve",
        "target": f"ZD-2026-{sequence_number:06d}",
        "before": {"state": "accepted"},
        "after": {"state": "approved", "comment": ""},
        "fingerprint": "AB:" * 31 + "CD",
    }


def build_chain(count):
    """The former journal: `count` entries each holding its predecessor's hash."""
    entries, previous = {}, GENESIS
    for seq in range(1, count + 1):
        entry = {"seq": seq, **entry_of(seq), "prev": previous}
        entry["hash"] = entry_hash(entry)
        entries[seq] = entry
        previous = entry["hash"]
    return entries


def verify_chain(entries):
    """Profile 1006's verification: recompute every link from the first entry."""
    previous = GENESIS
    for entry in entries.values():
        if entry["prev"] != previous or entry_hash(entry) != entry["hash"]:
            return False
        previous = entry["hash"]
    return True


def append(count):
    """Record `count` entries (pending inserts) and sequence them into the tree."""
    log = Journal()
    for seq in range(1, count + 1):
        add_pending(log, entry_of(seq))
    sequence(log)
    return log


def prove(log, indexes):
    """Inclusion proofs of `indexes` against the whole tree, each checked; total bytes."""
    root, size, total = log.tree.root(), log.tree.size, 0
    for index in indexes:
        path = log.tree.inclusion_path(index, size)
        leaf = leaf_of(log.sequenced[index + 1])
        assert merkle.verify_inclusion(index, size, leaf, path, root)  # noqa: S101
        total += sum(len(node) for node in path)
    return total


def log_token():
    """A SoftHSM2 token with an RSA log key, or None when SoftHSM2 is not installed."""
    from zhangdian.approval.testing import softhsm
    from zhangdian.approval.testing.pki import make_ca

    if shutil.which(softhsm.SOFTHSM_UTIL) is None or not os.path.exists(softhsm.SOFTHSM_LIBRARY):
        return None
    config = softhsm.write_config(tempfile.mkdtemp(prefix="bench-softhsm-"))
    softhsm.activate(config)
    ca_cert, ca_key = make_ca(valid_from=datetime(2026, 1, 1, tzinfo=UTC))
    pin = "123456"
    softhsm.provision_token(config, "bench-log", pin, "12345678", "log", ca_cert, ca_key)
    os.environ["ZHANGDIAN_LOG_TOKEN"] = "bench-log"  # noqa: S105 - a label, not a secret
    os.environ["ZHANGDIAN_LOG_PIN"] = pin
    return {"pkcs11_module": softhsm.SOFTHSM_LIBRARY, "timestamp_url": None}


def log_public_key_of(settings):
    """The benchmark log key's public key, read from its token."""
    from zhangdian.signer.token import token_certificate

    return token_certificate(settings["pkcs11_module"], "bench-log").public_key()


def timed(function, *args):
    """(result, seconds) of one call."""
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def main():
    """Chain and log side by side, then the spot-check draw; print the table."""
    chain, chained = timed(build_chain, ENTRIES)
    whole, chain_verified = timed(verify_chain, chain)
    assert whole  # noqa: S101 - a sanity check of the data, not of speed
    del chain
    log, appended = timed(append, ENTRIES)
    # A fixed sample of leaves to prove, the same every run.
    sampler = random.Random(16)  # noqa: S311 - not for secrets
    indexes = sampler.sample(range(ENTRIES), min(PROOFS, ENTRIES))
    proof_bytes, proved = timed(prove, log, indexes)
    consistency, consisted = timed(log.tree.consistency_proof, ENTRIES // 3, ENTRIES)
    settings = log_token()
    head, issued = timed(issue_head, log, None, settings) if settings else (None, None)
    public_key = head and log_public_key_of(settings)
    check, log_verified = timed(verify_journal, log, [head] if head else [], public_key)
    assert check.ok, check  # noqa: S101
    rows = [
        (f"former chain: append {ENTRIES:,} entries (hash + link)", chained, ENTRIES),
        (f"former chain: verify {ENTRIES:,} entries (to prove one, all)", chain_verified, ENTRIES),
        (f"log: record {ENTRIES:,} entries and sequence them into the tree", appended, ENTRIES),
        (f"log: {len(indexes)} inclusion proofs, built and checked", proved, len(indexes)),
        (
            f"log: consistency proof {ENTRIES // 3:,} → {ENTRIES:,} "
            f"({sum(len(node) for node in consistency)} bytes)",
            consisted,
            1,
        ),
        (
            f"log: verify all {ENTRIES:,} leaves and the head (make audit-verify)",
            log_verified,
            ENTRIES,
        ),
    ]
    if head is not None:
        rows.append((f"log: issue a signed head over {head['tree_size']:,}", issued, 1))
    cases = {
        f"approver{n}": [f"ZD-2026-{i:06d}" for i in range(n, CASES, APPROVERS)]
        for n in range(APPROVERS)
    }
    _sample, drawn = timed(draw, cases, 0.2, "2026-Q1/benchmark")
    rows.append((f"draw 20 % of {CASES:,} cases ({APPROVERS} approvers)", drawn, CASES))
    print(f"inclusion proof: {proof_bytes // len(indexes)} bytes on average")
    print("| operation | seconds | µs per item |")
    print("|---|---:|---:|")
    for name, seconds, items in rows:
        print(f"| {name} | {seconds:.3f} | {seconds / items * 1e6:.1f} |")


if __name__ == "__main__":
    main()
