"""RFC 3161 timestamps: the client the signing code and the audit journal use.

The loopback TSA that tests and the demo run against is `zhangdian.approval.testing.tsa`.
"""

from pyhanko.sign.timestamps import HTTPTimeStamper

import functools


CLIENT_TIMEOUT_SECONDS = 10


@functools.lru_cache(maxsize=16)
def timestamper(url: str) -> HTTPTimeStamper:
    """The RFC 3161 client for the TSA at `url`, one per URL and process."""
    # Reuse keeps the sample token pyHanko fetches to size the reserved /Contents region,
    # so prepare() asks the TSA once per process instead of once per document.
    return HTTPTimeStamper(url, timeout=CLIENT_TIMEOUT_SECONDS)
