"""The portal's own count of wrong PINs per server token: it locks before the token does.

A real USB key locks itself after a few wrong PINs, and only its security officer can unlock
it. The portal stops first: after `MAX_WRONG_PINS` consecutive wrong PINs for a token label it
refuses further attempts without touching the token, until the working group unlocks it
(`unlock`). A correct PIN resets the count. The counts live in a BTree in the site's
annotations, so a restart or another instance does not forget them; each label's entry is a
plain dict replaced whole, so that two tokens counted at once do not conflict.
"""

from BTrees.OOBTree import OOBTree
from plone import api
from zhangdian.approval import _
from zhangdian.approval.audit.journal import record
from zhangdian.approval.clock import now
from zhangdian.approval.errors import NothingFound
from zhangdian.approval.errors import Refused
from zope.annotation.interfaces import IAnnotations
from zope.i18nmessageid import Message


ATTEMPTS_KEY = "zhangdian.approval.pin_attempts"
# Below the five to fifteen tries after which the keys the bureau issues lock themselves.
MAX_WRONG_PINS = 5


class PinAttemptsExceeded(Refused):
    """The portal refuses a PIN for a token it locked after too many wrong PINs."""

    code = "pin_attempts_exceeded"
    status = 423

    def __init__(self, label):
        """Refuse signing with the token `label`."""
        super().__init__(
            Message(
                _(
                    "sign_pin_attempts_exceeded",
                    default="The portal has locked signing with the token ${label} after "
                    "${count} wrong PINs; the token was not used. Ask the working group to "
                    "unlock it.",
                ),
                mapping={"label": label, "count": MAX_WRONG_PINS},
            )
        )


def _attempts(create=False):
    """The site's BTree label → {"wrong": int, "locked_at": iso or None}; None if never made."""
    annotations = IAnnotations(api.portal.get())
    if ATTEMPTS_KEY not in annotations and create:
        annotations[ATTEMPTS_KEY] = OOBTree()
    return annotations.get(ATTEMPTS_KEY)


def attempts(label):
    """The wrong-PIN count and lock time of token `label` (zero and None when clean)."""
    tree = _attempts()
    entry = tree.get(label) if tree is not None else None
    return dict(entry) if entry else {"wrong": 0, "locked_at": None}


def check_not_locked(label):
    """Raise `PinAttemptsExceeded` if the portal locked the token `label`."""
    if attempts(label)["locked_at"]:
        raise PinAttemptsExceeded(label)


def count_wrong_pin(label, userid):
    """Count one wrong PIN for `label`, journalled; lock the token at `MAX_WRONG_PINS`."""
    wrong = attempts(label)["wrong"] + 1
    locked_at = now().isoformat() if wrong >= MAX_WRONG_PINS else None
    _attempts(create=True)[label] = {"wrong": wrong, "locked_at": locked_at}
    record(
        "signing.pin_wrong",
        target=label,
        after={"wrong": wrong, "locked": bool(locked_at)},
        actor=userid,
    )


def count_right_pin(label):
    """A correct PIN: forget the wrong ones (nothing is written when there were none)."""
    tree = _attempts()
    if tree is not None and label in tree:
        del tree[label]


def unlock(label, reason=""):
    """Let the token `label` be tried again (the working group's decision), journalled."""
    before = attempts(label)
    if not before["wrong"]:
        raise NothingFound(
            Message(
                _(
                    "error_pin_attempts_none",
                    default="No wrong PINs are counted for the token ${label}.",
                ),
                mapping={"label": label},
            )
        )
    del _attempts()[label]
    record("signing.pin_unlock", target=label, before=before, after={"reason": reason})
    return before
