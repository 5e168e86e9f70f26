"""The audit journal (终身负责): every decision-relevant event, hash-chained and append-only.

Each entry holds the SHA-256 of the previous one, so changing, removing or reordering a
stored entry breaks the chain at that entry; `verify_journal` recomputes the chain and names
the first broken entry. The chain head is timestamped now and then by the bureau's RFC 3161
timestamp authority (`anchor_head`), so that rewriting the whole chain shows too: the
anchored hashes no longer match. No code path edits or deletes an entry.

Appends touch the journal's head, so two transactions appending at once conflict and one is
retried by the ZODB: the chain never forks.
"""

from asn1crypto import cms
from BTrees.IOBTree import IOBTree
from dataclasses import dataclass
from datetime import datetime
from persistent import Persistent
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from zhangdian.approval.clock import now
from zhangdian.approval.signing.asyncio_bridge import run_sync
from zhangdian.approval.signing.timestamps import timestamper
from zope.annotation.interfaces import IAnnotations
from zope.interface import alsoProvides

import base64
import hashlib
import json


JOURNAL_KEY = "zhangdian.approval.journal"
GENESIS = "0" * 64


class Journal(Persistent):
    """The entries (sequence number → entry) and the anchors of the chain head."""

    def __init__(self):
        self.entries = IOBTree()
        self.anchors = IOBTree()
        self.length = 0
        self.head = GENESIS


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
    """SHA-256 over the entry's canonical JSON, its own `hash` left out."""
    body = {key: value for key, value in entry.items() if key != "hash"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(action, target="", before=None, after=None, fingerprint=None, actor=None, at=None):
    """Append one entry and return it: who did `action` to `target` when, with what effect."""
    log = journal()
    if actor is None:
        user = api.user.get_current()
        actor = user.getId() if user is not None else None
    sequence = log.length + 1
    entry = {
        "seq": sequence,
        "at": (at or now()).isoformat(),
        "actor": actor or "anonymous",
        "action": action,
        "target": target,
        "before": _canonical(before),
        "after": _canonical(after),
        "fingerprint": fingerprint,
        "prev": log.head,
    }
    entry["hash"] = entry_hash(entry)
    log.entries[sequence] = entry
    log.length = sequence
    log.head = entry["hash"]
    return entry


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
    """The outcome of recomputing the chain: `broken_at` is None when it is whole."""

    entries: int
    broken_at: int | None = None
    problem: str | None = None

    @property
    def ok(self):
        """True when every entry and every anchor checks."""
        return self.broken_at is None


def verify_journal(log=None):
    """Recompute the chain from the first entry; name the first entry that does not fit."""
    log = log if log is not None else journal()
    previous, expected, count = GENESIS, 1, 0
    hashes = {}
    for key, entry in log.entries.items():
        count += 1
        if key != expected:
            return JournalCheck(count, expected, "missing")
        if entry.get("seq") != key:
            return JournalCheck(count, key, "misplaced")
        if entry.get("prev") != previous:
            return JournalCheck(count, key, "chain")
        if entry_hash(entry) != entry.get("hash"):
            return JournalCheck(count, key, "altered")
        previous = entry["hash"]
        hashes[key] = previous
        expected += 1
    if count != log.length or previous != log.head:
        return JournalCheck(count, count + 1, "truncated")
    for sequence, anchor in log.anchors.items():
        if hashes.get(sequence) != anchor["hash"]:
            return JournalCheck(count, sequence, "anchor")
        if anchor.get("token") and token_imprint(anchor["token"]) != anchor["hash"]:
            return JournalCheck(count, sequence, "anchor")
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


def anchor_head(timestamp=None):
    """Record the current head with a timestamp token over it (when a TSA is given)."""
    log = journal()
    if log.length == 0:
        return None
    anchor = {"hash": log.head, "at": now().isoformat(), "token": None}
    if timestamp is not None:
        anchor["token"] = timestamp(bytes.fromhex(log.head))
    log.anchors[log.length] = anchor
    return anchor
