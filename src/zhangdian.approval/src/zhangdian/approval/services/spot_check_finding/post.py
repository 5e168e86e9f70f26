"""POST @spot-check-finding: a supervisor's finding on one sampled case, or a correction."""

from datetime import date
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zhangdian.approval.body import bad_field
from zhangdian.approval.body import json_object
from zhangdian.approval.body import text_field
from zhangdian.approval.errors import BadInput
from zhangdian.approval.supervision.spot_checks import record_finding
from zope.interface import alsoProvides


DETAILS = ("category", "description", "corrective_action", "corrected_on")
# An entry id is a small positive integer; anything else is a bad body.
MAX_ENTRY = 10**9


class SpotCheckFindingPost(Service):
    """Body: number, finding (compliant|problem), category, description, corrective_action;
    a correction adds `corrects` (the id of the latest entry on the case) and `reason`."""

    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        try:
            number, finding, corrects, reason, details = self._body()
        except BadInput as bad:
            # Unlike the signature steps (bad_request), this endpoint has always typed a bad
            # body BadRequest; a body that is not JSON stays bad_content_type (415).
            if bad.status == 400:
                bad.code = "BadRequest"
            raise
        entry = record_finding(
            self.context, number, finding, corrects=corrects, reason=reason, **details
        )
        return {"number": number, **entry}

    def _body(self):
        """The number, the finding, the entry it corrects, the reason and the details."""
        data = json_object(self.request)
        number = text_field(data, "number", limit=20).strip().upper()
        finding = text_field(data, "finding", limit=20)
        details = {
            key: text_field(data, key, required=False, limit=5000) for key in DETAILS if key in data
        }
        if details.get("corrected_on"):
            try:
                date.fromisoformat(details["corrected_on"])
            except ValueError as bad:
                raise bad_field("corrected_on") from bad
        corrects = data.get("corrects")
        if corrects is not None and (
            isinstance(corrects, bool)
            or not isinstance(corrects, int)
            or not 0 < corrects < MAX_ENTRY
        ):
            raise bad_field("corrects")
        reason = text_field(data, "reason", required=False, limit=5000) if "reason" in data else ""
        return number, finding, corrects, reason, details
