"""What the demo provisioning wrote on a site, so that a later `make start` keeps the bureau's.

Each value the demo writes (a setting, a certificate binding, the mail server) is recorded
on the site, under a key, as the SHA-256 of the value and the time it was written. A later
run writes its value again only while the site still holds what the demo wrote (or nothing
yet); a value that differs was set by the bureau and is left alone.
"""

from datetime import UTC
from datetime import datetime
from persistent.mapping import PersistentMapping
from plone import api
from zhangdian.approval import logger
from zope.annotation.interfaces import IAnnotations

import hashlib
import json


ANNOTATION_KEY = "zhangdian.approval.demo_provisioning"
UNSET = (None, "")


def digest(value):
    """The SHA-256 (hex) of a JSON-serialisable value."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def records(site=None):
    """{key: {"sha256", "at"}} of what the demo wrote on the site (created on first use)."""
    annotations = IAnnotations(site or api.portal.get())
    found = annotations.get(ANNOTATION_KEY)
    if found is None:
        found = annotations[ANNOTATION_KEY] = PersistentMapping()
    return found


def provision(key, current, value, write, report=logger.info, unset=UNSET):
    """Call write(value) unless the bureau changed `current` since the demo wrote it; whether ours.

    Without a record (a site the demo never touched under this key) the site's value is taken
    as the demo's when it is unset or already equal to `value`. With a record, only the value
    the demo wrote counts: a value the bureau emptied is the bureau's choice too.
    """
    found = records()
    record = found.get(key)
    if record is None:
        ours = current in unset or current == value
    else:
        ours = record["sha256"] == digest(current)
    if not ours:
        since = f" since the demo wrote it on {record['at']}" if record else ""
        report(f"{key}: the bureau changed it{since}; its value is kept.")
        return False
    if current != value:
        write(value)
    if record is None or record["sha256"] != digest(value):
        found[key] = PersistentMapping(
            sha256=digest(value), at=datetime.now(UTC).isoformat(timespec="seconds")
        )
    return True
