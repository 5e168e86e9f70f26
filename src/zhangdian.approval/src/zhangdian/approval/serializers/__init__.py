"""REST serialization of applications: oversight reads of decided cases leave a trace."""

from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.serializer.dxcontent import SerializeFolderToJson
from zhangdian.approval.audit.journal import record_oversight_read
from zhangdian.approval.content.application import IApplication
from zhangdian.approval.interfaces import IBrowserLayer
from zope.component import adapter
from zope.interface import implementer


@implementer(ISerializeToJson)
@adapter(IApplication, IBrowserLayer)
class SerializeApplicationToJson(SerializeFolderToJson):
    """plone.restapi's serialization, journalling auditors' and supervisors' reads."""

    def __call__(self, version=None, include_items=True, include_expansion=True):
        record_oversight_read(self.context, self.request)
        return super().__call__(
            version=version, include_items=include_items, include_expansion=include_expansion
        )
