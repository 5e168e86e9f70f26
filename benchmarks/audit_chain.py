"""Time verifying a journal of 1,000,000 entries and drawing a sample from 100,000 cases.

Pure Python against the same code the portal runs (`audit.verify_journal` over a `Journal`
with IOBTree entries, `supervision.draw`); no ZODB storage, no catalog query, so the figures
are the CPU cost of the checks themselves. Prints a table; asserts nothing about speed.
"""

from zhangdian.approval.audit import Journal
from zhangdian.approval.audit.journal import GENESIS
from zhangdian.approval.audit.journal import entry_hash
from zhangdian.approval.audit.journal import verify_journal
from zhangdian.approval.supervision.spot_checks import draw

import os
import time


ENTRIES = int(os.environ.get("JOURNAL_ENTRIES", "1000000"))
CASES = int(os.environ.get("DECIDED_CASES", "100000"))
APPROVERS = 40


def build_journal(count):
    """A journal of `count` chained entries shaped like the portal's."""
    log = Journal()
    previous = GENESIS
    for sequence in range(1, count + 1):
        entry = {
            "seq": sequence,
            "at": "2026-03-02T10:00:00+08:00",
            "actor": f"approver{sequence % APPROVERS}",
            "action": "application.approve",
            "target": f"ZD-2026-{sequence:06d}",
            "before": {"state": "accepted"},
            "after": {"state": "approved", "comment": ""},
            "fingerprint": "AB:" * 31 + "CD",
            "prev": previous,
        }
        entry["hash"] = entry_hash(entry)
        log.entries[sequence] = entry
        previous = entry["hash"]
    log.length, log.head = count, previous
    return log


def timed(function, *args):
    """(result, seconds) of one call."""
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def main():
    """Build, verify, tamper, verify again, draw; print the table."""
    log, built = timed(build_journal, ENTRIES)
    check, verified = timed(verify_journal, log)
    assert check.ok  # noqa: S101 - a sanity check of the data, not of speed
    middle = ENTRIES // 2
    entry = dict(log.entries[middle])
    entry["actor"] = "forger"
    log.entries[middle] = entry
    broken, found = timed(verify_journal, log)
    cases = {
        f"approver{n}": [f"ZD-2026-{i:06d}" for i in range(n, CASES, APPROVERS)]
        for n in range(APPROVERS)
    }
    sample, drawn = timed(draw, cases, 0.2, "2026-Q1/benchmark")
    again, redrawn = timed(draw, cases, 0.2, "2026-Q1/benchmark")
    assert sample == again  # noqa: S101
    rows = [
        (f"append {ENTRIES:,} entries (hash + IOBTree insert)", built, ENTRIES),
        (f"verify {ENTRIES:,} entries, chain whole", verified, ENTRIES),
        (f"verify until the altered entry {broken.broken_at:,}", found, broken.broken_at),
        (f"draw 20 % of {CASES:,} cases ({APPROVERS} approvers)", drawn, CASES),
        ("redraw from the same seed (identical sample)", redrawn, CASES),
    ]
    print("| operation | seconds | µs per item |")
    print("|---|---:|---:|")
    for name, seconds, items in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / items * 1e6:.1f} |")
    print(f"\nsample size: {sum(len(v) for v in sample.values()):,}")


if __name__ == "__main__":
    main()
