"""JSON errors of our REST services: {"type", "message"} with the right status."""

from zope.i18n import translate


def error(service, status, error_type, message):
    """Set the status and return the error body, with the message translated."""
    service.request.response.setStatus(status)
    return {"type": error_type, "message": translate(message, context=service.request)}
