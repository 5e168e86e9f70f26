"""The journal pickled in every site's annotations keeps loading after audit.py became a package."""

from BTrees.IOBTree import IOBTree
from plone import api
from zhangdian.approval.audit import Journal as PickledPathJournal
from zhangdian.approval.audit.journal import GENESIS
from zhangdian.approval.audit.journal import JOURNAL_KEY
from zhangdian.approval.audit.journal import Journal
from zhangdian.approval.audit.journal import entry_hash
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.audit.journal import leaf_of
from zhangdian.approval.audit.journal import migrate
from zhangdian.approval.audit.journal import verify_journal
from zhangdian.approval.upgrades.v1007.transparency_log import migrate_journal
from zhangdian.verify import merkle
from zope.annotation.interfaces import IAnnotations

import base64
import logging
import pickle
import pytest


# A journal with one entry, pickled while the class was zhangdian.approval.audit.Journal
# (module audit.py), as sites store it.
JOURNAL_PICKLED_BEFORE = base64.b64decode(
    "gANjemhhbmdkaWFuLmFwcHJvdmFsLmF1ZGl0CkpvdXJuYWwKcQApgXEBfXECKFgHAAAAZW50cmllc3EDY0JUcmVl"
    "cy5JT0JUcmVlCklPQlRyZWUKcQQpgXEFSwF9cQYoWAMAAABzZXFxB0sBWAIAAABhdHEIWBkAAAAyMDI2LTAzLTAy"
    "VDEyOjAwOjAwKzA4OjAwcQlYBQAAAGFjdG9ycQpYCQAAAHdvcmtncm91cHELWAYAAABhY3Rpb25xDFgTAAAAYXV0"
    "aG9yaXphdGlvbi5ncmFudHENWAYAAAB0YXJnZXRxDlgUAAAAYXBwcm92ZXIxLTIwMjYtMDEtMDFxD1gGAAAAYmVm"
    "b3JlcRBOWAUAAABhZnRlcnERfXESWAUAAABzdGF0ZXETWAYAAABhY3RpdmVxFHNYCwAAAGZpbmdlcnByaW50cRVO"
    "WAQAAABwcmV2cRZYQAAAADAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw"
    "MDAwMDAwMDAwMDAwMDBxF1gEAAAAaGFzaHEYWEAAAABjNDkwOTY0ZDVmMjVmZWE3MDQyZDY1ZTY3NDU1MGUyMmQz"
    "NDdlY2UyM2JjYjc1MThiODcxNjVlMzhhYThmZWNmcRl1hnEahXEbhXEchXEdYlgHAAAAYW5jaG9yc3EeaAQpgXEf"
    "WAYAAABsZW5ndGhxIEsBWAQAAABoZWFkcSFoGXViLg=="
)
HEAD = "c490964d5f25fea7042d65e674550e22d347ece23bcb7518b87165e38aa8fecf"


@pytest.fixture
def loaded():
    """The journal unpickled from the bytes an earlier release wrote."""
    return pickle.loads(JOURNAL_PICKLED_BEFORE)  # noqa: S301 - our own fixture bytes


def test_the_pickle_names_the_old_class_path():
    """The fixture really is an old pickle: it names zhangdian.approval.audit.Journal."""
    assert b"czhangdian.approval.audit\nJournal\n" in JOURNAL_PICKLED_BEFORE


def test_the_old_class_path_resolves_to_the_journal():
    """zhangdian.approval.audit.Journal is the journal class of audit/journal.py."""
    assert PickledPathJournal is Journal


def test_an_old_journal_unpickles_with_its_entry(loaded):
    """The entry written before the move is there, and the chain still checks."""
    assert isinstance(loaded, Journal)
    assert verify_journal(loaded).problem == "not_migrated"
    assert migrate(loaded) == 1
    assert loaded.length == 1
    assert loaded.entries[1]["action"] == "authorization.grant"
    # The former chain's link stays inside the entry as history, and still checks.
    assert loaded.sequenced[1]["hash"] == HEAD
    assert verify_journal(loaded, outside_heads=[], log_key=None).ok


def _old_chain_journal(count):
    """A journal as profile 1006 kept it: a hash chain with length, head and an anchor."""
    log = Journal.__new__(Journal)
    entries, previous = IOBTree(), GENESIS
    for seq in range(1, count + 1):
        entry = {
            "seq": seq,
            "at": "2026-03-02T12:00:00+08:00",
            "actor": "workgroup",
            "action": "test.event",
            "target": f"T-{seq}",
            "before": None,
            "after": {"n": seq},
            "fingerprint": None,
            "prev": previous,
        }
        entry["hash"] = entry_hash(entry)
        entries[seq] = entry
        previous = entry["hash"]
    log.__dict__.update(
        entries=entries,
        anchors=IOBTree({count: {"hash": previous, "at": "2026-03-02", "token": None}}),
        length=count,
        head=previous,
    )
    return log


def test_upgrade_moves_the_chain_into_the_tree_in_order(portal, caplog):
    IAnnotations(portal)[JOURNAL_KEY] = _old_chain_journal(20_001)
    with caplog.at_level(logging.INFO):
        migrate_journal(api.portal.get_tool("portal_setup"))
    log = journal()
    assert log.size == log.length == 20_001
    leaves = [leaf_of(log.sequenced[seq]) for seq in range(1, 20_002)]
    assert log.tree.root() == merkle.root(leaves)
    assert log.sequenced[7]["prev"] == log.sequenced[6]["hash"]
    assert verify_journal(outside_heads=[], log_key=None).ok
    progress = [r.getMessage() for r in caplog.records if "moved into the tree" in r.getMessage()]
    assert progress == [
        "journal: 10000 entries moved into the tree",
        "journal: 20000 entries moved into the tree",
    ]
    # Run twice, nothing changes.
    assert migrate_journal(None) is None and journal().size == 20_001


def test_a_migrated_entry_changed_afterwards_is_named(portal):
    IAnnotations(portal)[JOURNAL_KEY] = _old_chain_journal(5)
    migrate_journal(None)
    log = journal()
    log.sequenced[3] = {**log.sequenced[3], "actor": "forger"}
    assert (
        verify_journal(outside_heads=[]).broken_at,
        verify_journal(outside_heads=[]).problem,
    ) == (3, "altered")
