"""GET @desk: what the current user's desks show, from the same functions as the desk pages."""

from plone import api
from plone.restapi.serializer.converters import json_compatible
from plone.restapi.services import Service
from zhangdian.approval.browser.applications import ApprovalQueueView
from zhangdian.approval.browser.desks import SupervisionDeskView
from zhangdian.approval.browser.desks import WorkbenchView
from zhangdian.approval.browser.desks import menu_for


class DeskGet(Service):
    """One section per desk the user may open (approver, working group, supervision)."""

    def reply(self):
        portal = api.portal.get()
        menu = menu_for(portal)
        desks = {entry["id"] for entry in menu if entry["desk"]}
        answer = {
            "@id": f"{portal.absolute_url()}/@desk",
            "menu": menu,
            "approver": None,
            "workbench": None,
            "supervision": None,
        }
        if "my-tasks" in desks:
            answer["approver"] = ApprovalQueueView(portal, self.request).desk()
        if "workbench" in desks:
            answer["workbench"] = WorkbenchView(portal, self.request).desk()
        if "supervision" in desks:
            answer["supervision"] = SupervisionDeskView(portal, self.request).desk()
        return json_compatible(answer)
