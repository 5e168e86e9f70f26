"""Spot checks draw their sample when created; call-backs are checked and journalled."""

from zhangdian.approval.audit import journal
from zhangdian.approval.content.callback import check_decided_case
from zhangdian.approval.supervision.spot_checks import draw_spot_check


def spot_check_added(spot_check, event):
    """Draw the quarter's sample from the recorded (or a new random) seed."""
    draw_spot_check(spot_check)


def callback_added(callback, event):
    """Refuse a call-back on an undecided case (whatever created it) and journal it."""
    check_decided_case(callback.application)
    journal.record(
        "callback.recorded",
        target=callback.application,
        after={
            "channel": callback.channel,
            "ratings": [
                callback.process,
                callback.attitude,
                callback.efficiency,
                callback.integrity,
            ],
            "complaint": bool(callback.complaint),
        },
    )
