"""GET @flowchart: the flowchart of a matter as an SVG document."""

from plone.restapi.services import Service
from zhangdian.approval.documents.flowchart import render_svg


class FlowchartGet(Service):
    """The matter's process flowchart, drawn as accessible SVG."""

    def render(self):
        """Answer with the SVG itself instead of a JSON document."""
        self.check_permission()
        response = self.request.response
        response.setHeader("Content-Type", "image/svg+xml; charset=utf-8")
        response.setHeader("X-Content-Type-Options", "nosniff")
        return render_svg(self.context, self.request).encode("utf-8")
