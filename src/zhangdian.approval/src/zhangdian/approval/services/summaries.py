"""JSON summaries shared by the authorisation endpoints."""

from plone import api
from zhangdian.approval.authorizations import is_current


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
