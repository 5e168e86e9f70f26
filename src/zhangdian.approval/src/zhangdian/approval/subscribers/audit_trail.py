"""Append decision-relevant events to the audit journal (see zhangdian.approval.audit)."""

from plone import api
from zhangdian.approval.audit import journal
from zhangdian.approval.certificates import CertificateError
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.certificates import load_trust_anchors
from zhangdian.approval.settings import SIGNING_PREFIX
from zhangdian.approval.settings import refuse_unconfirmed_change
from zhangdian.approval.workdays import CALENDAR_PREFIX
from zope.lifecycleevent.interfaces import IAttributes

import hashlib


def _state_change(event):
    return (
        {"state": event.old_state.getId() if event.old_state else None},
        {"state": event.new_state.getId(), "comment": (event.kwargs or {}).get("comment", "")},
    )


def application_transitioned(application, event):
    """Journal a transition of an application; a decision with its signing certificate."""
    if event.transition is None:
        return
    before, after = _state_change(event)
    signed = (event.kwargs or {}).get("signed_decision")
    if signed is not None:
        after["document_sha256"] = application.signature["document_sha256"]
        after["authorization"] = signed.authorization_uid
    journal.record(
        f"application.{event.transition.getId()}",
        target=application.number,
        before=before,
        after=after,
        fingerprint=signed.signer_fingerprint if signed is not None else None,
    )


def application_submitted(application, event):
    """Journal a new application."""
    journal.record(
        "application.submitted",
        target=application.number,
        after={"matter": application.matter, "channel": application.channel},
    )


def authorization_transitioned(authorization, event):
    """Journal a grant, suspension, reinstatement, revocation or expiry."""
    if event.transition is None:
        return
    before, after = _state_change(event)
    if event.transition.getId() == "grant":
        # Maker and checker in one entry: the checker is this entry's actor.
        after["proposed_by"] = authorization.proposed_by
        after["proposed_at"] = authorization.proposed_at
    journal.record(
        f"authorization.{event.transition.getId()}",
        target=_authorization_target(authorization),
        before=before,
        after=after,
        fingerprint=authorization.certificate_fingerprint,
    )


def authorization_modified(authorization, event):
    """Journal an edit of an authorisation with the new values of the changed fields."""
    fields = sorted(
        name
        for description in getattr(event, "descriptions", ()) or ()
        if IAttributes.providedBy(description)
        for name in description.attributes
    )
    journal.record(
        "authorization.modified",
        target=_authorization_target(authorization),
        after={name: _field_value(authorization, name) for name in fields},
        fingerprint=authorization.certificate_fingerprint,
    )


def authorization_added(authorization, event):
    """Journal a new authorisation period."""
    journal.record(
        "authorization.created",
        target=_authorization_target(authorization),
        after={
            "valid_from": authorization.valid_from,
            "valid_until": authorization.valid_until,
            "scope_categories": list(authorization.scope_categories or ()),
            "scope_matters": list(authorization.scope_matters or ()),
        },
        fingerprint=authorization.certificate_fingerprint,
    )


def _authorization_target(authorization):
    return f"{authorization.approver} {api.content.get_uuid(authorization)}"


def _field_value(obj, name):
    value = getattr(obj, name, None)
    if hasattr(value, "filename"):
        return value.filename
    return value


def setting_changed(event):
    """Journal a change of a signing or calendar setting, whichever route made it.

    A signing record written past the four-eyes proposal is put back and refused first, so
    that nothing of it reaches the journal.
    """
    refuse_unconfirmed_change(event)
    name = getattr(event.record, "__name__", "") or ""
    if not name.startswith((f"{SIGNING_PREFIX}.", f"{CALENDAR_PREFIX}.")):
        return
    journal.record(
        "settings.changed",
        target=name,
        before=_journalled_value(name, event.oldValue),
        after=_journalled_value(name, event.newValue),
    )


def _journalled_value(name, value):
    """The value as the journal keeps it; trust anchors by their fingerprints and digest."""
    if name != f"{SIGNING_PREFIX}.trust_anchors" or not value:
        return value
    try:
        fingerprints = [fingerprint(cert) for cert in load_trust_anchors(value)]
    except CertificateError:
        fingerprints = None
    return {
        "anchors_sha256": fingerprints,
        "pem_sha256": hashlib.sha256(value.encode("utf-8")).hexdigest(),
    }
