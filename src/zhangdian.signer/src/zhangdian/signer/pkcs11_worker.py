"""One worker thread per PKCS#11 library: every call into a library runs on its thread.

python-pkcs11 initialises modules with `C_Initialize(NULL)`, which tells SoftHSM (and other
modules) that the caller never calls in from two threads; it then runs without locks and
crashes under concurrent use (notes/signing.md, pitfall 1). So each library gets one thread
that loads it and owns all its sessions; other threads hand it functions with `run`.

Sessions must not outlive the function given to `run`: a function opens, uses and closes
its session, so that the next one can log in again (pitfall 3) and the worker may
re-initialise the library to see tokens created after it was loaded (pitfall 6).
"""

from collections.abc import Callable
from concurrent.futures import Future
from contextlib import contextmanager
from zhangdian.signer.errors import KeyNotFound
from zhangdian.signer.errors import LibraryMissing
from zhangdian.signer.errors import PinLocked
from zhangdian.signer.errors import SignerError
from zhangdian.signer.errors import TokenFailure
from zhangdian.signer.errors import TokenNotFound
from zhangdian.signer.errors import WrongPin

import os
import pkcs11
import queue
import threading


_PIN_REFUSED = (pkcs11.PinIncorrect, pkcs11.PinInvalid, pkcs11.PinLenRange)
_TOKEN_GONE = (
    pkcs11.NoSuchToken,
    pkcs11.TokenNotPresent,
    pkcs11.TokenNotRecognised,
    pkcs11.DeviceRemoved,
    pkcs11.SlotIDInvalid,
)

_workers: dict[str, "_LibraryWorker"] = {}
_workers_lock = threading.Lock()


class _LibraryWorker:
    """A daemon thread that loads one PKCS#11 library and runs the functions queued for it."""

    def __init__(self, library_path: str):
        """Start the thread for `library_path`; the library is loaded on the first call."""
        self.library_path = library_path
        self.library = None
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(
            target=self._serve, name=f"pkcs11 {library_path}", daemon=True
        )
        self.thread.start()

    def submit(self, fn: Callable, args: tuple) -> Future:
        """Queue fn(library, *args); the future holds its result or exception."""
        future: Future = Future()
        self.jobs.put((future, fn, args))
        return future

    def _serve(self) -> None:
        """Run queued jobs one after the other, forever."""
        while True:
            future, fn, args = self.jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(self._load(), *args)
            except BaseException as error:
                future.set_exception(error)
            else:
                future.set_result(result)

    def _load(self):
        """The loaded library, loading it first if needed."""
        if self.library is None:
            if not os.path.exists(self.library_path):
                raise LibraryMissing(self.library_path, "file not found")
            try:
                self.library = pkcs11.lib(self.library_path)
            except pkcs11.PKCS11Error as error:
                raise LibraryMissing(
                    self.library_path, str(error) or type(error).__name__
                ) from error
        return self.library


def _worker_for(library_path: str) -> _LibraryWorker:
    """The worker of `library_path`, started on first use."""
    library_path = os.path.realpath(library_path)
    with _workers_lock:
        worker = _workers.get(library_path)
        if worker is None:
            worker = _workers[library_path] = _LibraryWorker(library_path)
        return worker


def run(library_path: str, fn: Callable, *args):
    """Run fn(library, *args) on the library's worker thread; return or raise its outcome."""
    worker = _worker_for(library_path)
    if threading.current_thread() is worker.thread:
        # A job that calls run() for its own library would otherwise wait for itself.
        return fn(worker._load(), *args)
    try:
        return worker.submit(fn, args).result()
    except SignerError:
        raise
    except pkcs11.PKCS11Error as error:
        raise TokenFailure(type(error).__name__) from error


def is_loaded(library_path: str) -> bool:
    """Whether this process has already loaded the library (its configuration is then fixed)."""
    worker = _workers.get(os.path.realpath(library_path))
    return worker is not None and worker.library is not None


def find_token(library, token_label: str):
    """The token labelled `token_label`, rescanning the slots once if it is not seen yet."""
    for attempt in range(2):
        try:
            return library.get_token(token_label=token_label)
        except pkcs11.NoSuchToken:
            if attempt:
                break
            # Tokens plugged in (or created) after the library was loaded only show up after
            # a re-initialisation. Safe here: no session survives a job (see module docstring).
            library.reinitialize()
        except pkcs11.MultipleTokensReturned as error:
            raise TokenFailure(f"several tokens are labelled {token_label}") from error
        except pkcs11.PKCS11Error:
            # A token pulled out leaves its slot answering with general errors until the
            # slots are scanned again.
            if attempt:
                raise
            library.reinitialize()
    raise TokenNotFound(token_label)


@contextmanager
def open_session(library, token_label: str, pin: str | None = None, rw: bool = False):
    """A session on the token, logged in with `pin` when given; PKCS#11 errors become ours."""
    token = find_token(library, token_label)
    try:
        session = token.open(rw=rw, user_pin=pin)
    except _PIN_REFUSED as error:
        raise WrongPin(token_label) from error
    except pkcs11.PinLocked as error:
        raise PinLocked(token_label) from error
    except _TOKEN_GONE as error:
        raise TokenNotFound(token_label) from error
    except pkcs11.PKCS11Error as error:
        _raise_if_pulled(library, token_label, error)
        raise
    try:
        with session:
            yield session
    except (pkcs11.NoSuchKey, pkcs11.MultipleObjectsReturned) as error:
        detail = "ambiguous" if isinstance(error, pkcs11.MultipleObjectsReturned) else "missing"
        raise KeyNotFound(token_label, None, detail) from error
    except _TOKEN_GONE as error:
        raise TokenNotFound(token_label) from error
    except pkcs11.PKCS11Error as error:
        _raise_if_pulled(library, token_label, error)
        raise


def _raise_if_pulled(library, token_label: str, error: Exception) -> None:
    """TokenNotFound when the token has gone: a key pulled mid-session is a general error."""
    library.reinitialize()
    try:
        library.get_token(token_label=token_label)
    except pkcs11.NoSuchToken:
        raise TokenNotFound(token_label) from error
    except pkcs11.PKCS11Error:
        return
