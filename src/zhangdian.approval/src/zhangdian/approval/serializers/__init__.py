"""REST serialization: the application's number (and its query code for the applicant), oversight
reads of decided cases leave a trace, and an authorisation shows the certificate bound to it."""

from plone import api
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.serializer.converters import json_compatible
from plone.restapi.serializer.dxcontent import SerializeFolderToJson
from plone.restapi.serializer.dxcontent import SerializeToJson
from zhangdian.approval.audit.journal import record_oversight_read
from zhangdian.approval.content.application import IApplication
from zhangdian.approval.content.authorization import CERTIFICATE_FIELDS
from zhangdian.approval.content.authorization import IApproverAuthorization
from zhangdian.approval.interfaces import IBrowserLayer
from zope.component import adapter
from zope.interface import implementer


@implementer(ISerializeToJson)
@adapter(IApplication, IBrowserLayer)
class SerializeApplicationToJson(SerializeFolderToJson):
    """plone.restapi's serialization, journalling auditors' and supervisors' reads."""

    def __call__(self, version=None, include_items=True, include_expansion=True):
        record_oversight_read(self.context, self.request)
        result = super().__call__(
            version=version, include_items=include_items, include_expansion=include_expansion
        )
        result["number"] = self.context.number
        # As on the Classic page: the query code is the applicant's (or the counter's) secret.
        if "Owner" in api.user.get_roles(obj=self.context):
            result["query_code"] = self.context.query_code
        return result


@implementer(ISerializeToJson)
@adapter(IApproverAuthorization, IBrowserLayer)
class SerializeAuthorizationToJson(SerializeToJson):
    """plone.restapi's serialization plus the bound certificate's facts (null when unbound)."""

    def __call__(self, version=None, include_items=True, include_expansion=True):
        result = super().__call__(
            version=version, include_items=include_items, include_expansion=include_expansion
        )
        for name in CERTIFICATE_FIELDS:
            result[name] = json_compatible(getattr(self.context, name, None))
        return result
