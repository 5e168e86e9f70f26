"""Spot checks draw their sample when they are created."""

from zhangdian.approval.supervision import draw_spot_check


def spot_check_added(spot_check, event):
    """Draw the quarter's sample from the recorded (or a new random) seed."""
    draw_spot_check(spot_check)
