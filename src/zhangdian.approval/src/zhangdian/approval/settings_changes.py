"""Four eyes on the signing settings: a change is proposed by one person, applied by another.

A proposal (PATCH @signing-settings, the signing settings panel) is validated like the
settings, stored in the site's annotations with its proposer, time and old → new values, and
journalled; nothing of it is in force. A different holder of the signing-settings permission
confirms it (`may_confirm_setting_change`); only then are the values written, through
`applying_confirmed_change()`, and the confirmation journalled with the proposer. Every
journal entry names each trust anchor added or removed by its SHA-256 fingerprint.
"""

from BTrees.OOBTree import OOBTree
from plone import api
from zhangdian.approval import _
from zhangdian.approval.audit.journal import record
from zhangdian.approval.certificates import CertificateError
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.certificates import load_trust_anchors
from zhangdian.approval.clock import now
from zhangdian.approval.errors import NothingFound
from zhangdian.approval.errors import Refused
from zhangdian.approval.rules.settings_change import may_confirm_setting_change
from zhangdian.approval.settings import InvalidSetting
from zhangdian.approval.settings import check_signing_changes
from zhangdian.approval.settings import set_signing_setting
from zhangdian.approval.settings import signing_setting
from zope.annotation.interfaces import IAnnotations
from zope.i18nmessageid import Message

import secrets


PROPOSALS_KEY = "zhangdian.approval.signing_proposals"
ANCHOR_SETTINGS = ("trust_anchors", "timestamp_anchors")


class SettingChangeRefused(Refused):
    """A confirmation the four-eyes rule refuses; nothing changes."""

    def __init__(self, verdict):
        """Refuse for the verdict's reason."""
        self.verdict = verdict
        super().__init__(
            verdict.message, code=f"setting_change_{verdict.reason}", status=verdict.status
        )


def _proposals(create=False):
    """The site's BTree id → proposal (plain dicts, replaced whole); None if never made."""
    annotations = IAnnotations(api.portal.get())
    if PROPOSALS_KEY not in annotations and create:
        annotations[PROPOSALS_KEY] = OOBTree()
    return annotations.get(PROPOSALS_KEY)


def pending_proposals():
    """Every proposal waiting for confirmation, oldest first."""
    tree = _proposals()
    found = [dict(proposal) for proposal in tree.values()] if tree is not None else []
    return sorted(found, key=lambda proposal: proposal["proposed_at"])


def proposal(proposal_id):
    """One pending proposal, or NothingFound."""
    tree = _proposals()
    found = tree.get(str(proposal_id)) if tree is not None and proposal_id else None
    if found is None:
        raise NothingFound(
            Message(
                _(
                    "error_setting_proposal_unknown",
                    default="There is no pending proposal ${id}.",
                ),
                mapping={"id": str(proposal_id)[:40]},
            )
        )
    return dict(found)


def anchor_fingerprints(pem):
    """The SHA-256 fingerprints of the anchors in a PEM bundle (in order)."""
    if not pem or not pem.strip():
        return []
    try:
        return [fingerprint(cert) for cert in load_trust_anchors(pem)]
    except CertificateError:
        return []


def anchor_changes(changes):
    """{setting: {"added": [fingerprint], "removed": [fingerprint]}} for the anchor bundles."""
    delta = {}
    for name in ANCHOR_SETTINGS:
        if name in changes:
            before = anchor_fingerprints(changes[name]["before"])
            after = anchor_fingerprints(changes[name]["after"])
            delta[name] = {
                "added": [f for f in after if f not in before],
                "removed": [f for f in before if f not in after],
                "before": before,
                "after": after,
            }
    return delta


def _journalled(changes):
    """Old and new values as the journal keeps them: anchor bundles by their fingerprints."""
    return {
        name: {
            side: anchor_fingerprints(value) if name in ANCHOR_SETTINGS else value
            for side, value in change.items()
        }
        for name, change in changes.items()
    }


def propose_signing_change(changes, userid=None):
    """Validate `changes` and store them as a proposal of `userid`; journalled, not applied."""
    checked = check_signing_changes(changes)
    values = {
        name: {"before": signing_setting(name), "after": value} for name, value in checked.items()
    }
    values = {
        name: change for name, change in values.items() if change["before"] != change["after"]
    }
    if not values:
        raise InvalidSetting(
            _(
                "error_settings_unchanged",
                default="The settings already have these values: there is nothing to propose.",
            )
        )
    userid = userid or api.user.get_current().getId()
    proposed = {
        "id": secrets.token_hex(8),
        "proposer": userid,
        "proposed_at": now().isoformat(),
        "changes": values,
        "anchors": anchor_changes(values),
    }
    _proposals(create=True)[proposed["id"]] = proposed
    record(
        "settings.proposed",
        target=proposed["id"],
        after={"changes": _journalled(values), "anchors": proposed["anchors"]},
        actor=userid,
    )
    return proposed


def confirm_signing_change(proposal_id, userid=None):
    """Apply a proposal confirmed by a different person than its proposer; journalled."""
    userid = userid or api.user.get_current().getId()
    proposed = proposal(proposal_id)
    current = {name: signing_setting(name) for name in proposed["changes"]}
    verdict = may_confirm_setting_change(proposed, userid, current)
    if not verdict.allowed:
        raise SettingChangeRefused(verdict)
    for name, change in proposed["changes"].items():
        set_signing_setting(name, change["after"])
    del _proposals()[proposed["id"]]
    confirmed = {**proposed, "confirmed_by": userid, "confirmed_at": now().isoformat()}
    record(
        "settings.confirmed",
        target=proposed["id"],
        before={"proposer": proposed["proposer"], "proposed_at": proposed["proposed_at"]},
        after={"changes": _journalled(proposed["changes"]), "anchors": proposed["anchors"]},
        actor=userid,
    )
    return confirmed


def withdraw_signing_change(proposal_id, reason="", userid=None):
    """Drop a proposal (the proposer's second thoughts or the checker's refusal); journalled."""
    userid = userid or api.user.get_current().getId()
    proposed = proposal(proposal_id)
    del _proposals()[proposed["id"]]
    record(
        "settings.withdrawn",
        target=proposed["id"],
        before={"proposer": proposed["proposer"], "changes": _journalled(proposed["changes"])},
        after={"reason": reason},
        actor=userid,
    )
    return {**proposed, "withdrawn_by": userid}
