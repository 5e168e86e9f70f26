"""The audit journal (终身负责): every decision-relevant event, a leaf of an RFC 9162 Merkle tree.

`record` adds the entry to `pending`, a BTree keyed by a time-ordered unique key: concurrent
writers insert different keys, which the BTree's conflict resolution merges, and no writer
touches a shared counter or head. After the writer's transaction commits, the sequencer
(`sequence`, run by an after-commit hook in its own transaction) gives pending entries their
`seq` in key order and adds their leaves to the stored tree (audit/tree.py); two sequencers at
once conflict on the tree and one retries, so the log never forks. Signed tree heads
(audit/heads.py) commit to the tree and are also kept outside the database.
"""

from asn1crypto import cms
from BTrees.IOBTree import IOBTree
from BTrees.OOBTree import OOBTree
from dataclasses import dataclass
from datetime import datetime
from persistent import Persistent
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from zhangdian.approval.audit.tree import LogTree
from zhangdian.approval.clock import now
from zhangdian.approval.signing.asyncio_bridge import run_sync
from zhangdian.approval.signing.timestamps import timestamper
from zhangdian.verify import merkle
from zope.annotation.interfaces import IAnnotations
from zope.interface import alsoProvides

import base64
import hashlib
import itertools
import json
import logging
import secrets
import threading
import time
import transaction


logger = logging.getLogger(__name__)

JOURNAL_KEY = "zhangdian.approval.journal"
GENESIS = "0" * 64
# Marks every transaction that writes the log, so that the portal refuses to undo it.
LOG_TRANSACTION = "zhangdian.approval.log"
# Kept in `pending` for ever: a BTree bucket that a sequencer empties cannot be merged with a
# concurrent insert, one that keeps this key can.
KEEPER = ""
# The permission (title) of reading entries: @audit-journal's, zhangdian.approval.audit.view.
READ_JOURNAL = "zhangdian.approval: View Audit Journal"


class Journal(Persistent):
    """Sequenced entries (seq → entry), pending entries, the tree, its heads, the old anchors."""

    # Journals pickled before the tree hold only entries/anchors/length/head: see `migrate`.
    sequenced = None
    pending = None
    tree = None
    heads = None

    def __init__(self):
        self.sequenced = IOBTree()
        self.pending = _pending_tree()
        self.tree = LogTree()
        self.heads = IOBTree()
        self.anchors = IOBTree()

    def pending_items(self):
        """(key, entry) of the entries not sequenced yet, in key order."""
        return self.pending.items(min=KEEPER, excludemin=True)

    @property
    def entries(self):
        """Sequenced entries, then pending ones under the numbers they will most likely get."""
        return JournalEntries(self)

    @property
    def size(self):
        """How many entries the tree holds."""
        return self.tree.size

    @property
    def length(self):
        """Entries sequenced and pending."""
        return self.tree.size + len(self.pending) - 1

    @property
    def head(self):
        """The tree's root hash (hex) over the sequenced entries."""
        return self.tree.root().hex()

    def latest_head(self):
        """The newest signed tree head, or None."""
        return self.heads[self.heads.maxKey()] if self.heads else None


class JournalEntries:
    """Read-only mapping seq → entry over a journal's sequenced and pending entries."""

    def __init__(self, log):
        self.log = log

    def _pending(self):
        first = self.log.tree.size + 1
        for offset, (_, entry) in enumerate(self.log.pending_items()):
            yield first + offset, {**entry, "seq": first + offset}

    def items(self):
        """(seq, entry) in order."""
        yield from self.log.sequenced.items()
        yield from self._pending()

    def keys(self):
        """The sequence numbers in order."""
        return [key for key, _ in self.items()]

    def values(self):
        """The entries in order."""
        return [entry for _, entry in self.items()]

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return self.log.length

    def __contains__(self, seq):
        return 1 <= seq <= self.log.length

    def __getitem__(self, seq):
        if seq in self.log.sequenced:
            return self.log.sequenced[seq]
        for key, entry in self._pending():
            if key == seq:
                return entry
        raise KeyError(seq)

    def get(self, seq, default=None):
        """The entry numbered `seq`, or `default`."""
        try:
            return self[seq]
        except KeyError:
            return default


def _pending_tree():
    pending = OOBTree()
    pending[KEEPER] = None
    return pending


def journal():
    """The site's journal, created on first use."""
    annotations = IAnnotations(api.portal.get())
    if JOURNAL_KEY not in annotations:
        annotations[JOURNAL_KEY] = Journal()
    return annotations[JOURNAL_KEY]


def _canonical(value):
    """Text, numbers, lists and mappings only, in a form JSON writes the same way every time."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_canonical(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def entry_hash(entry):
    """SHA-256 over an entry's canonical JSON without its `hash`: the former chain's link."""
    body = {key: value for key, value in entry.items() if key != "hash"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def leaf_of(entry):
    """The RFC 9162 leaf hash of an entry as logged."""
    return merkle.leaf_hash(merkle.leaf_bytes(entry))


_order = itertools.count()
_order_lock = threading.Lock()
_last_nanoseconds = [0]


def _pending_key():
    """Time-ordered within this process, unique across processes."""
    with _order_lock:
        nanoseconds = max(time.time_ns(), _last_nanoseconds[0] + 1)
        _last_nanoseconds[0] = nanoseconds
        return f"{nanoseconds:020d}-{next(_order):012d}-{secrets.token_hex(4)}"


def mark_log_transaction(txn=None):
    """Name the transaction as one that writes the log (its undo is refused)."""
    (txn or transaction.get()).setExtendedInfo(LOG_TRANSACTION, True)


def add_pending(log, entry):
    """Put an entry among the pending ones, marking the transaction as one that writes the log."""
    log.pending[_pending_key()] = entry
    mark_log_transaction()


def record(action, target="", before=None, after=None, fingerprint=None, actor=None, at=None):
    """Log one entry and return it: who did `action` to `target` when, with what effect.

    The returned `seq` is the number the entry gets if no concurrent writer commits first.
    """
    log = journal()
    if actor is None:
        user = api.user.get_current()
        actor = user.getId() if user is not None else None
    entry = {
        "at": (at or now()).isoformat(),
        "actor": actor or "anonymous",
        "action": action,
        "target": target,
        "before": _canonical(before),
        "after": _canonical(after),
        "fingerprint": fingerprint,
    }
    add_pending(log, entry)
    from zhangdian.approval.audit.sequencer import sequence_after_commit

    sequence_after_commit()
    return {**entry, "seq": log.length}


def sequence(log=None):
    """Give pending entries their numbers in key order and add their leaves; return how many."""
    log = log if log is not None else journal()
    count = 0
    for key, entry in list(log.pending_items()):
        seq = log.tree.size + 1
        sequenced = {"seq": seq, **entry}
        log.sequenced[seq] = sequenced
        log.tree.append(leaf_of(sequenced))
        del log.pending[key]
        count += 1
    return count


def migrate(log, report=logger.info):
    """Turn a hash-chained journal into the tree: its entries become leaves in order."""
    if log.tree is not None:
        return 0
    old = log.__dict__
    chain = old.pop("entries", None) or IOBTree()
    for name in ("length", "head"):
        old.pop(name, None)
    log.sequenced = chain
    log.pending = _pending_tree()
    log.tree = LogTree()
    log.heads = IOBTree()
    if getattr(log, "anchors", None) is None:
        log.anchors = IOBTree()
    log._p_changed = True
    for seq, entry in chain.items():
        log.tree.append(leaf_of(entry))
        if seq % 10_000 == 0:
            report(f"journal: {seq} entries moved into the tree")
    report(f"journal: {log.tree.size} entries in the tree")
    return log.tree.size


OVERSIGHT_ROLES = ("Auditor", "Supervisor")


def record_oversight_read(application, request, action="application.read"):
    """Journal that an auditor or supervisor looked at a decided case (监督留痕)."""
    roles = set(api.user.get_roles(obj=application))
    if not roles & set(OVERSIGHT_ROLES) or not application.decision:
        return None
    # A GET that writes: the journal entry is the point, and it is all this request writes.
    alsoProvides(request, IDisableCSRFProtection)
    return record(action, target=application.number, after={"roles": sorted(roles)})


@dataclass(frozen=True)
class JournalCheck:
    """The outcome of recomputing the log: `broken_at` (entry) or `head` (tree size) names it."""

    entries: int
    broken_at: int | None = None
    problem: str | None = None
    head: int | None = None

    @property
    def ok(self):
        """True when every entry, stored head and outside head checks."""
        return self.problem is None


def _check_entries(log):
    """Recompute every leaf; the first entry that does not fit, as a JournalCheck."""
    expected, count = 1, 0
    for key, entry in log.sequenced.items():
        count += 1
        if key != expected:
            return JournalCheck(count, expected, "missing")
        if entry.get("seq") != key:
            return JournalCheck(count, key, "misplaced")
        if key > log.tree.size or leaf_of(entry) != log.tree.leaf(key - 1):
            return JournalCheck(count, key, "altered")
        if "hash" in entry and entry_hash(entry) != entry["hash"]:
            return JournalCheck(count, key, "altered")
        expected += 1
    if count != log.tree.size:
        return JournalCheck(count, count + 1, "truncated")
    for sequence_number, anchor in log.anchors.items():
        if log.sequenced.get(sequence_number, {}).get("hash") != anchor["hash"]:
            return JournalCheck(count, sequence_number, "anchor")
        if anchor.get("token") and token_imprint(anchor["token"]) != anchor["hash"]:
            return JournalCheck(count, sequence_number, "anchor")
    return None


def verify_journal(log=None, outside_heads=None, log_key=None):
    """Recompute the tree, check every stored head, and compare with the heads kept outside.

    `outside_heads` (heads from the heads file, by default read from it) and `log_key` (the
    log's public key, by default read from its token) let the caller verify alone.
    """
    from zhangdian.approval.audit import heads as log_heads

    log = log if log is not None else journal()
    if log.tree is None:
        return JournalCheck(0, None, "not_migrated")
    broken = _check_entries(log)
    if broken is not None:
        return broken
    count = log.tree.size
    if log_key is None:
        log_key = log_heads.log_public_key(required=False)
    for size, head in log.heads.items():
        problem = log_heads.head_problem(head, log, log_key)
        if problem:
            return JournalCheck(count, None, problem, size)
    if outside_heads is None:
        outside_heads = log_heads.read_heads_file()
    for head in outside_heads:
        size = head["tree_size"]
        stored = log.heads.get(size)
        if stored is None:
            return JournalCheck(count, None, "missing_head", size)
        if stored["root_hash"] != head["root_hash"] or stored["signature"] != head["signature"]:
            return JournalCheck(count, None, "root_mismatch", size)
    return JournalCheck(count)


def token_imprint(token):
    """The hash (hex) an RFC 3161 timestamp token (base64 DER) vouches for."""
    content = cms.ContentInfo.load(base64.b64decode(token))
    info = content["content"]["encap_content_info"]["content"].parsed
    return info["message_imprint"]["hashed_message"].native.hex()


def tsa_timestamp(url):
    """A function that gets a timestamp token (base64 DER) over a SHA-256 digest from `url`."""

    def timestamp(digest):
        token = run_sync(timestamper(url).async_timestamp(digest, "sha256"))
        return base64.b64encode(token.dump()).decode("ascii")

    return timestamp
