"""JSON errors of our REST services: {"type", "message"} with the right status."""

from zope.i18n import translate

import transaction


def error(service, status, error_type, message):
    """Set the status and return the error body, with the message translated."""
    service.request.response.setStatus(status)
    return {"type": error_type, "message": translate(message, context=service.request)}


def refusal(service, refused):
    """The JSON answer to a refused signature step; nothing of the request is committed."""
    transaction.doom()
    service.request.response.setStatus(refused.status)
    return {
        "type": refused.code,
        "message": " ".join(translate(m, context=service.request) for m in refused.messages),
    }
