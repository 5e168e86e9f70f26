"""The journal pickled in every site's annotations keeps loading after audit.py became a package."""

from zhangdian.approval.audit import Journal as PickledPathJournal
from zhangdian.approval.audit.journal import Journal
from zhangdian.approval.audit.journal import migrate
from zhangdian.approval.audit.journal import verify_journal

import base64
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
