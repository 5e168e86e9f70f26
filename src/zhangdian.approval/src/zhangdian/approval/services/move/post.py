"""POST @move, guarded: a kept record (an application, an oversight record) says why it stays.

plone.restapi's @move checks Delete objects before it tries, so a Manager moving a decided
application got a bare 403 and no reason. The record is asked first (`cb_isMoveable`, the
same question Zope's own move and rename ask), so the answer is the rule's 409 with its code.
"""

from plone.restapi.deserializer import json_body
from plone.restapi.services.copymove.copymove import Move


class GuardedMovePost(Move):
    """Body: source (URL, path or UID, or a list of them); see plone.restapi's @move."""

    def reply(self):
        data = json_body(self.request)
        sources = data.get("source") if isinstance(data, dict) else None
        for item in sources if isinstance(sources, list) else [sources]:
            obj = self.get_object(item) if isinstance(item, str) else None
            if obj is not None:
                obj.cb_isMoveable()  # a kept record raises its refusal here
        return super().reply()
