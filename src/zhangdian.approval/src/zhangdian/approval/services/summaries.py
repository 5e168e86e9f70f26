"""JSON summaries shared by the authorisation and application endpoints."""

from plone import api
from zhangdian.approval.rules.authorization import is_current
from zhangdian.approval.rules.deadlines import deadline_status


def authorization_summary(authorization, at=None):
    """The JSON view of one authorisation: state, period, scope, certificate."""
    return {
        "@id": authorization.absolute_url(),
        "UID": api.content.get_uuid(authorization),
        "approver": authorization.approver,
        "review_state": api.content.get_state(authorization),
        "current": is_current(authorization, at),
        "valid_from": authorization.valid_from.isoformat(),
        "valid_until": authorization.valid_until.isoformat(),
        "scope_categories": list(authorization.scope_categories or ()),
        "scope_matters": list(authorization.scope_matters or ()),
        "certificate_fingerprint": authorization.certificate_fingerprint,
        "predecessor": authorization.predecessor,
    }


def _iso(value):
    return value.isoformat() if value is not None else None


def application_summary(application, at=None):
    """The JSON view of one application for queues and lists."""
    matter = application.matter_object()
    return {
        "@id": application.absolute_url(),
        "@type": "Application",
        "number": application.number,
        "review_state": api.content.get_state(application),
        "matter": {"code": application.matter, "title": matter.title if matter else None},
        "applicant_name": application.applicant_name,
        "channel": application.channel,
        "submitted_at": _iso(application.submitted_at),
        "accepted_by": application.accepted_by,
        "due_date": _iso(application.due_date),
        "deadline_status": deadline_status(application, at),
        "decision": application.decision,
        "decided_at": _iso(application.decided_at),
    }


def signed_decision_summary(application, signed):
    """The answer to a completed signature: the decision recorded and how it was signed."""
    return {
        **application_summary(application),
        "signature": {
            "level": signed.level,
            "signer_subject": signed.signer_subject,
            "signer_fingerprint": signed.signer_fingerprint,
            "signing_time": _iso(signed.signing_time),
            "timestamp_time": _iso(signed.timestamp_time),
        },
    }
