"""@verify: is a decision PDF intact, who signed it, and does it match the portal's record?"""

from plone.restapi.services import Service
from zhangdian.approval.services.errors import refusal
from zhangdian.approval.signatures import SignatureRefused
from zhangdian.approval.signatures import json_from_request
from zhangdian.approval.signatures import bytes_from_request
from zhangdian.approval.signatures import verify_decision
from zhangdian.approval.signatures import MAX_PDF
from zhangdian.approval.signatures import verify_holder


class VerifyPost(Service):
    """Body: file (base64 of the PDF)."""

    def reply(self):
        try:
            data = json_from_request(self.request)
            return verify_decision(bytes_from_request(data, "file", limit=MAX_PDF))
        except SignatureRefused as refused:
            return refusal(self, refused)


class VerifyGet(Service):
    """Query: number and code (the applicant's query code)."""

    def reply(self):
        form = self.request.form
        try:
            return verify_holder(form.get("number"), form.get("code"))
        except SignatureRefused as refused:
            return refusal(self, refused)
