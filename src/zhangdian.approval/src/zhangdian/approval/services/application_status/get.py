"""GET @application-status?number=…&code=…: the public status lookup with the query code."""

from plone import api
from plone.restapi.services import Service
from zhangdian.approval import _
from zhangdian.approval.casework.lookup_limit import limited_status
from zhangdian.approval.errors import BadInput
from zhangdian.approval.errors import NothingFound


class ApplicationStatusGet(Service):
    """Status of one application for whoever holds its number and query code."""

    def reply(self):
        number = str(self.request.form.get("number", "") or "").strip().upper()
        code = str(self.request.form.get("code", "") or "").strip().upper()
        if not number or not code:
            raise BadInput(
                _("error_status_missing", default="Give the application number and its query code.")
            )
        status = limited_status(self.request, number, code)
        if status is None:
            # One answer for "no such number" and "wrong code": numbers are guessable.
            raise NothingFound(
                _(
                    "error_status_not_found",
                    default="No application matches this number and query code.",
                )
            )
        status["@id"] = f"{api.portal.get().absolute_url()}/@application-status"
        return status
