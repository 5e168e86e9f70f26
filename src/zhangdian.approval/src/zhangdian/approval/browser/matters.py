"""The public matter list and matter pages."""

from plone import api
from plone.batching import Batch
from Products.Five.browser import BrowserView
from urllib.parse import urlencode
from zhangdian.approval import _
from zhangdian.approval.body import whole_number
from zhangdian.approval.casework.public import MAX_QUERY_CHARS
from zhangdian.approval.casework.public import published_matters
from zhangdian.approval.content.matter_category import IMatterCategory
from zhangdian.approval.documents.flowchart import build_paths
from zhangdian.approval.documents.flowchart import render_svg
from zhangdian.approval.setuphandlers import APPLICATIONS_ID
from zhangdian.approval.subscribers.matter_changes import ANNOTATION_KEY
from zhangdian.approval.vocabularies import MATERIAL_FORM_TITLES
from zhangdian.approval.vocabularies import RISK_LEVEL_TITLES
from zope.annotation.interfaces import IAnnotations


CHANGE_TITLES = {
    "added": _("change_added", default="Added"),
    "edited": _("change_edited", default="Edited"),
    "publish": _("change_publish", default="Published"),
    "suspend": _("change_suspend", default="Suspended"),
    "resume": _("change_resume", default="Resumed"),
}
# Above this many matters an unfiltered list shows its categories instead of every row.
OVERVIEW_THRESHOLD = 200
# Search results are shown a page at a time.
PAGE_SIZE = 100


class MatterListView(BrowserView):
    """The matter list grouped by category, with search and filters."""

    overview = False

    def __call__(self):
        form = self.request.form
        self.text = str(form.get("q", "") or "")[:MAX_QUERY_CHARS]
        self.category = str(form.get("category", "") or "")
        self.on_the_spot = bool(form.get("on_the_spot"))
        if IMatterCategory.providedBy(self.context):
            self.matter_list = self.context.aq_parent
            self.category = self.context.getId()
        else:
            self.matter_list = self.context
        return self.index()

    def categories(self):
        """The categories of the list, in list order: dicts with id, title, url."""
        return [
            {"id": category.getId(), "title": category.Title(), "url": category.absolute_url()}
            for category in self.matter_list.objectValues()
            if IMatterCategory.providedBy(category)
        ]

    def filtered(self):
        """True when the visitor searched or filtered."""
        return bool(self.text or self.category or self.on_the_spot)

    def groups(self):
        """Matching published matters grouped by category, in list order."""
        brains = published_matters(
            self.matter_list, self.text, self.category or None, self.on_the_spot
        )
        self.overview = not self.filtered() and len(brains) > OVERVIEW_THRESHOLD
        self.total = len(brains)
        self.batch = None
        if not self.overview and len(brains) > PAGE_SIZE:
            start = whole_number(self.request.form.get("b_start"), least=0) or 0
            self.batch = Batch(brains, PAGE_SIZE, start)
            brains = self.batch
        by_category = {}
        for brain in brains:
            by_category.setdefault(brain.matter_category, []).append(brain)
        return [
            dict(
                category,
                matters=by_category[category["id"]],
                count=len(by_category[category["id"]]),
            )
            for category in self.categories()
            if category["id"] in by_category
        ]

    def batch_navigation(self):
        """The page links of a long result, or an empty string."""
        if self.batch is None:
            return ""
        return self.context.restrictedTraverse("@@batchnavigation")(self.batch)

    def can_manage(self):
        """True for the working group: shows the import/export links."""
        return api.user.has_permission(
            "zhangdian.approval: Manage Matter List", obj=self.matter_list
        )


class MatterView(BrowserView):
    """A matter with its materials, time limits and flowchart."""

    def material_form(self, key):
        """The label of original / copy."""
        return MATERIAL_FORM_TITLES.get(key, key)

    def risk_level(self):
        """The label of the matter's risk level."""
        return RISK_LEVEL_TITLES.get(self.context.risk_level, self.context.risk_level)

    def flowchart_svg(self):
        """The flowchart as inline SVG markup."""
        svg = render_svg(self.context, self.request)
        return svg.split("?>", 1)[1].strip()

    def flowchart_paths(self):
        """The paths of the flowchart, for the text alternative."""
        return build_paths(self.context, self.request)

    def review_state(self):
        """The matter's workflow state id."""
        return api.content.get_state(self.context)

    def review_state_title(self):
        """The title of the matter's workflow state (translated in the plone domain)."""
        workflow = api.portal.get_tool("portal_workflow")
        return workflow.getTitleForStateOnType(self.review_state(), self.context.portal_type)

    def apply_url(self):
        """The application form with this matter chosen; None when it takes no applications."""
        if self.review_state() != "published" or not self.context.independent_approval:
            return None
        query = urlencode({"matter": self.context.code})
        return f"{api.portal.get().absolute_url()}/{APPLICATIONS_ID}/++add++Application?{query}"

    def can_see_history(self):
        """True for those who may read the versions of the matter."""
        return api.user.has_permission("CMFEditions: Access previous versions", obj=self.context)


class FlowchartSVG(BrowserView):
    """The flowchart as a standalone SVG file (inline, or as a download)."""

    def __call__(self):
        svg = render_svg(self.context, self.request).encode("utf-8")
        response = self.request.response
        response.setHeader("Content-Type", "image/svg+xml; charset=utf-8")
        response.setHeader("X-Content-Type-Options", "nosniff")
        if self.request.form.get("download"):
            response.setHeader(
                "Content-Disposition",
                f'attachment; filename="{self.context.code}-flowchart.svg"',
            )
        return svg


class MatterListChanges(BrowserView):
    """The history of the list (动态调整): additions, edits and state changes, newest first."""

    limit = 200

    def changes(self):
        """The latest changes of matters the viewer may see now."""
        visible = {
            brain.UID
            for brain in api.content.find(
                portal_type="Matter", path="/".join(self.context.getPhysicalPath())
            )
        }
        # Read without creating: an anonymous GET must not write to the database.
        log = IAnnotations(self.context).get(ANNOTATION_KEY) or {}
        result = []
        for key in reversed(log.keys()):
            entry = log[key]
            if entry["uid"] in visible:
                result.append(entry)
                if len(result) == self.limit:
                    break
        return result

    def action_title(self, action):
        """The label of a change."""
        return CHANGE_TITLES.get(action, action)
