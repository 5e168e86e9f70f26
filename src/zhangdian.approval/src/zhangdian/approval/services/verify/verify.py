"""@verify: is a decision PDF intact, who signed it, and does it match the portal's record?"""

from plone.restapi.services import Service
from zhangdian.approval.body import bytes_field
from zhangdian.approval.body import json_object
from zhangdian.approval.signing.public_verify import MAX_PDF
from zhangdian.approval.signing.public_verify import verify_decision
from zhangdian.approval.signing.public_verify import verify_holder


class VerifyPost(Service):
    """Body: file (base64 of the PDF)."""

    def reply(self):
        data = json_object(self.request)
        return verify_decision(bytes_field(data, "file", limit=MAX_PDF))


class VerifyGet(Service):
    """Query: number and code (the applicant's query code)."""

    def reply(self):
        form = self.request.form
        return verify_holder(form.get("number"), form.get("code"), self.request)
