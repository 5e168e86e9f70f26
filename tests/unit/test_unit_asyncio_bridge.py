"""pyHanko's coroutines run from synchronous code, with or without a loop in the caller's thread."""

from zhangdian.approval.signing.asyncio_bridge import run_sync

import asyncio
import threading


async def where():
    """The thread the coroutine ran in."""
    return threading.get_ident()


def test_without_a_running_loop_in_this_thread():
    """Zope's worker threads: the coroutine runs right here."""
    assert run_sync(where()) == threading.get_ident()


def test_inside_a_running_loop():
    """A caller with a loop (Playwright's sync API): another thread, and the caller's loop lives on."""

    async def caller():
        return run_sync(where()), threading.get_ident()

    ran_in, caller_thread = asyncio.run(caller())
    assert ran_in != caller_thread
