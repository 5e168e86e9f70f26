"""The change log of the matter list (动态调整): every addition, edit and state change.

Each matter's full versions live in CMFEditions; this log is the list-wide index of
them, kept on the matter list so the history page never has to wake every matter.
"""

from BTrees.OOBTree import OOBTree
from datetime import UTC
from datetime import datetime
from plone import api
from plone.uuid.interfaces import IUUID
from zhangdian.approval.audit import journal
from zhangdian.approval.content.matter_list import IMatterList
from zope.annotation.interfaces import IAnnotations

import uuid


ANNOTATION_KEY = "zhangdian.approval.matter_changes"


def _matter_list_of(matter):
    for parent in matter.aq_chain:
        if IMatterList.providedBy(parent):
            return parent
    return None


def changes_of(matter_list):
    """The change log of a matter list, oldest first (an OOBTree keyed by time)."""
    annotations = IAnnotations(matter_list)
    if ANNOTATION_KEY not in annotations:
        annotations[ANNOTATION_KEY] = OOBTree()
    return annotations[ANNOTATION_KEY]


def record(matter, action, fields=()):
    """Append one change of `matter` to its list's log."""
    matter_list = _matter_list_of(matter)
    if matter_list is None:
        return
    now = datetime.now(UTC)
    # A random suffix keeps two changes in the same microsecond apart.
    key = f"{now.isoformat()}-{uuid.uuid4().hex[:8]}"
    changes_of(matter_list)[key] = {
        "time": now.isoformat(),
        "uid": IUUID(matter, None),
        "code": matter.code,
        "title": matter.title,
        "action": action,
        "actor": api.user.get_current().getId(),
        "fields": tuple(fields),
    }
    journal.record(
        f"matter.{action}",
        target=matter.code,
        after={"title": matter.title, "fields": list(fields)},
    )


def matter_added(matter, event):
    """A matter was added to the list."""
    record(matter, "added")


def matter_modified(matter, event):
    """A matter's fields were changed."""
    fields = []
    for description in getattr(event, "descriptions", ()) or ():
        fields.extend(name.split(".")[-1] for name in getattr(description, "attributes", ()))
    record(matter, "edited", fields)


def matter_transitioned(matter, event):
    """A matter was published, suspended or resumed."""
    if event.action:
        record(matter, event.action)
