"""The one place that answers: may this person confirm this proposed signing-settings change?

Trust anchors decide whose certificates sign decisions, so no single person changes them
(maker–checker, 四眼原则): the proposer never confirms their own proposal, and a proposal
is confirmed only while the settings are still what it was proposed against, so that the
confirmer approves exactly the old → new values they see.
"""

from dataclasses import dataclass
from zhangdian.approval import _
from zope.i18nmessageid import Message


REASONS = {
    "allowed": _("setting_confirm_allowed", default="You may confirm this change."),
    "own_proposal": _(
        "setting_confirm_own",
        default="You proposed this change: a different person must confirm it (four eyes).",
    ),
    "stale": _(
        "setting_confirm_stale",
        default="The signing settings changed after this proposal was made: withdraw it and "
        "propose the change again.",
    ),
}
STATUS = {"own_proposal": 403, "stale": 409}


@dataclass(frozen=True)
class ConfirmVerdict:
    """The answer of `may_confirm_setting_change`."""

    allowed: bool
    reason: str

    @property
    def message(self) -> Message:
        """The translatable explanation of the verdict."""
        return REASONS[self.reason]

    @property
    def status(self) -> int:
        """The HTTP status of a refusal."""
        return STATUS.get(self.reason, 200)


def may_confirm_setting_change(proposal, userid, current) -> ConfirmVerdict:
    """May `userid` confirm `proposal` while the settings are `current` ({name: value})?"""
    if not userid or userid == proposal["proposer"]:
        return ConfirmVerdict(False, "own_proposal")
    for name, change in proposal["changes"].items():
        if current.get(name) != change["before"]:
            return ConfirmVerdict(False, "stale")
    return ConfirmVerdict(True, "allowed")
