"""POST @spot-check-finding: an inspector's finding on one sampled case."""

from datetime import date
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zhangdian.approval.services.errors import error
from zhangdian.approval.signatures import SignatureRefused
from zhangdian.approval.signatures import bad_field
from zhangdian.approval.signatures import json_from_request
from zhangdian.approval.signatures import text_from_request
from zhangdian.approval.supervision import SpotCheckRefused
from zhangdian.approval.supervision import record_finding
from zope.interface import alsoProvides

import transaction


DETAILS = ("category", "description", "corrective_action", "corrected_on")


class SpotCheckFindingPost(Service):
    """Body: number, finding (compliant|problem), category, description, corrective_action."""

    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        try:
            data = json_from_request(self.request)
            number = text_from_request(data, "number", limit=20).strip().upper()
            finding = text_from_request(data, "finding", limit=20)
            details = {
                key: text_from_request(data, key, required=False, limit=5000)
                for key in DETAILS
                if key in data
            }
            if details.get("corrected_on"):
                try:
                    date.fromisoformat(details["corrected_on"])
                except ValueError as bad:
                    raise bad_field("corrected_on") from bad
            entry = record_finding(self.context, number, finding, **details)
        except SignatureRefused as refused:
            transaction.doom()
            # 415 for a body that is not JSON, as the signature services answer.
            kind = "BadRequest" if refused.status == 400 else refused.code
            return error(self, refused.status, kind, refused.messages[0])
        except SpotCheckRefused as refused:
            transaction.doom()
            kind = "Forbidden" if refused.status == 403 else "BadRequest"
            return error(self, refused.status, kind, refused.args[0])
        return {"number": number, **entry}
