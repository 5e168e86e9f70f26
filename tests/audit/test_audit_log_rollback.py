"""A database rolled back behind a published head (forced undo, older backup) is named."""

from tests.helpers.approval import LIBRARY
from zhangdian.approval.audit.heads import append_to_heads_file
from zhangdian.approval.audit.heads import issue_head
from zhangdian.approval.audit.journal import Journal
from zhangdian.approval.audit.journal import add_pending
from zhangdian.approval.audit.journal import sequence
from zhangdian.approval.audit.journal import verify_journal

import pytest
import shutil
import transaction
import ZODB
import ZODB.FileStorage


SETTINGS = {"pkcs11_module": LIBRARY, "timestamp_url": None}


class Database:
    """A FileStorage database holding a journal, as an instance's Data.fs does."""

    def __init__(self, path):
        self.path = path
        self.open()

    def open(self):
        """Open the Data.fs and its journal."""
        self.db = ZODB.DB(ZODB.FileStorage.FileStorage(str(self.path)))
        self.manager = transaction.TransactionManager()
        self.connection = self.db.open(transaction_manager=self.manager)
        root = self.connection.root()
        if "journal" not in root:
            root["journal"] = Journal()
            self.manager.commit()
        self.journal = root["journal"]

    def close(self):
        """Close it (before copying or restoring the file)."""
        self.connection.close()
        self.db.close()

    def write(self, count, prefix):
        """Entries committed by writers, then sequenced and a head issued and published."""
        for n in range(count):
            add_pending(self.journal, {"action": "test.event", "target": f"{prefix}-{n}"})
            self.manager.commit()
        sequence(self.journal)
        head = issue_head(self.journal, settings=SETTINGS)
        self.manager.get().setExtendedInfo("zhangdian.approval.log", True)
        self.manager.commit()
        append_to_heads_file(head)
        return head


@pytest.fixture
def database(tmp_path, log_env):
    """An instance database with entries and one published head."""
    database = Database(tmp_path / "Data.fs")
    database.write(3, "A")
    yield database
    database.close()


def test_the_whole_database_verifies_against_the_heads_file(database, log_env):
    check = verify_journal(database.journal, log_key=log_env.public_key())
    assert check.ok, check


def test_forced_undo_of_the_head_is_named(database, log_env):
    head = database.write(2, "B")
    undone = database.db.undoLog(0, 1)[0]["id"]
    database.db.undo(undone, database.manager.get())  # past the portal's guard: ZODB directly
    database.manager.commit()
    database.connection.sync()
    check = verify_journal(database.journal, log_key=log_env.public_key())
    assert (check.problem, check.head) == ("missing_head", head["tree_size"])


def test_restored_older_backup_is_named(database, log_env, tmp_path):
    database.close()
    shutil.copy(database.path, tmp_path / "backup.fs")
    database.open()
    later = database.write(4, "C")
    database.close()
    shutil.copy(tmp_path / "backup.fs", database.path)
    database.open()
    check = verify_journal(database.journal, log_key=log_env.public_key())
    assert (check.problem, check.head) == ("missing_head", later["tree_size"])
