"""Run pyHanko's coroutines from the portal's synchronous code."""

from concurrent.futures import ThreadPoolExecutor

import asyncio


def run_sync(coroutine):
    """The coroutine's result; in a thread of its own when this thread already runs a loop.

    Zope's worker threads run no event loop, so asyncio.run is enough there; a caller that
    does (a test driving Playwright, an asyncio-based script) must not have its loop re-entered.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
