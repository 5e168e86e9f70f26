"""Spot checks draw their sample when created; call-backs are checked and journalled.

Oversight records are never moved, renamed, copied or removed, whichever route tries: the
workflow grants the permissions to no role, and these subscribers refuse what Zope would do
without asking for a permission (a Manager's ZMI, a removed parent folder).
"""

from plone import api
from Products.CMFCore.interfaces import ISiteRoot
from zhangdian.approval.audit import journal
from zhangdian.approval.content.callback import check_decided_case
from zhangdian.approval.rules.oversight import RECORD_KEPT
from zhangdian.approval.rules.oversight import OversightRecordKept
from zhangdian.approval.rules.oversight import may_record_callback
from zhangdian.approval.rules.oversight import record_target
from zhangdian.approval.supervision.spot_checks import draw_spot_check


def spot_check_added(spot_check, event):
    """Draw the quarter's sample from the recorded (or a new random) seed."""
    draw_spot_check(spot_check)


def callback_added(callback, event):
    """Refuse a call-back on an undecided case or by anyone but a supervisor; journal it."""
    check_decided_case(callback.application)
    verdict = may_record_callback(
        api.user.get_current().getId(),
        callback.application,
        callback.corrects or None,
        callback.correction_reason or "",
        recording=callback,
    )
    if not verdict.allowed:
        raise verdict.refusal()
    journal.record(
        "callback.corrected" if callback.corrects else "callback.recorded",
        target=callback.application,
        after={
            "callback": api.content.get_uuid(callback),
            "channel": callback.channel,
            "ratings": [
                callback.process,
                callback.attitude,
                callback.efficiency,
                callback.integrity,
            ],
            "complaint": bool(callback.complaint),
            "comments": callback.comments or "",
            "corrects": callback.corrects or None,
            "reason": callback.correction_reason or None,
        },
    )


def keep_record(record, event):
    """Refuse removal, move, rename or copy of an oversight record (the site's removal aside)."""
    if ISiteRoot.providedBy(event.object):
        return  # the whole site is removed or renamed, not the record
    if getattr(event, "oldParent", None) is None and getattr(event, "newParent", None):
        return  # being added
    raise OversightRecordKept(RECORD_KEPT, target=record_target(record))
