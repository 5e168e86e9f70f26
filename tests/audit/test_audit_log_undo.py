"""ZMI undo of a transaction that wrote the log is refused; one forced past ZODB is named."""

from App.Undo import UndoSupport
from App.Undo import encode64
from OFS.Folder import Folder
from zExceptions import Forbidden
from zhangdian.approval.audit.journal import mark_log_transaction

import pytest
import transaction
import ZODB
import ZODB.FileStorage


class UndoableFolder(Folder, UndoSupport):
    """A folder with the ZMI's undo support, in a database that can undo."""


@pytest.fixture
def database(tmp_path):
    """A FileStorage database (undoable, unlike the test layers' DemoStorage)."""
    db = ZODB.DB(ZODB.FileStorage.FileStorage(str(tmp_path / "Data.fs")))
    manager = transaction.TransactionManager()
    connection = db.open(transaction_manager=manager)
    connection.root()["folder"] = UndoableFolder("folder")
    manager.commit()
    yield db, manager, connection
    connection.close()
    db.close()


def _last_tid(db):
    return encode64(db.undoLog(0, 1)[0]["id"])


def test_undo_of_a_log_transaction_is_refused(database):
    db, manager, connection = database
    folder = connection.root()["folder"]
    folder.title = "logged"
    mark_log_transaction(manager.get())
    manager.commit()
    with pytest.raises(Forbidden):
        folder.manage_undo_transactions([_last_tid(db)])
    manager.abort()
    assert connection.root()["folder"].title == "logged"


def test_undo_of_another_transaction_goes_through(database):
    db, manager, connection = database
    folder = connection.root()["folder"]
    folder.title = "unlogged"
    manager.commit()
    transaction_id = _last_tid(db)
    folder.manage_undo_transactions([transaction_id])
    connection.sync()
    assert connection.root()["folder"].title == ""
