"""JSON errors of our REST services: {"type", "message"} with the right status."""

from zhangdian.approval import _
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


def bad_batch(service):
    """The 400 answer when b_start or b_size is not a whole number in range, else None.

    plone.restapi's HypermediaBatch fails with a 500 on a negative size.
    """
    form = service.request.form
    for key, least in (("b_start", 0), ("b_size", 1)):
        if key not in form:
            continue
        try:
            if int(form[key]) >= least:
                continue
        except (TypeError, ValueError):
            pass
        return error(
            service,
            400,
            "BadRequest",
            _(
                "error_matters_batch",
                default="b_start must be a whole number of 0 or more and b_size one of 1 or more.",
            ),
        )
    return None
