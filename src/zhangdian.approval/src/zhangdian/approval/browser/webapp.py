"""The portal as an installable web app (不打烊移动审批): manifest, service worker, offline page."""

from pathlib import Path
from plone import api
from plone.app.layout.viewlets import ViewletBase
from Products.Five.browser import BrowserView
from zhangdian.approval.casework.decisions import BUREAU_NAME

import json


STATIC = Path(__file__).parent / "static"
RESOURCES = "++plone++zhangdian.approval"
THEME_COLOR = "#b01c24"


class ManifestView(BrowserView):
    """manifest.webmanifest: name, icons, the approver's desk as start page, standalone."""

    def __call__(self):
        base = api.portal.get().absolute_url()
        manifest = {
            "name": f"{BUREAU_NAME} 不打烊移动审批",
            "short_name": "张店审批",
            "lang": "zh-CN",
            "start_url": f"{base}/@@approval-queue",
            "scope": f"{base}/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": THEME_COLOR,
            "icons": [
                {
                    "src": f"{base}/{RESOURCES}/icon-{size}.png",
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": "any",
                }
                for size in (192, 512)
            ],
        }
        self.request.response.setHeader("Content-Type", "application/manifest+json")
        return json.dumps(manifest, ensure_ascii=False)


class ServiceWorkerView(BrowserView):
    """service-worker.js at the site root, so that its scope is the whole portal."""

    def __call__(self):
        response = self.request.response
        response.setHeader("Content-Type", "text/javascript; charset=utf-8")
        # Browsers check for a new worker on each visit; an old copy must never stick.
        response.setHeader("Cache-Control", "no-cache")
        return (STATIC / "service-worker.js").read_text(encoding="utf-8")


class OfflineView(BrowserView):
    """The page the service worker shows when the network is gone (zh_CN and en, no data)."""

    def base(self):
        """The site's address."""
        return api.portal.get().absolute_url()

    def bureau(self):
        """The bureau's name."""
        return BUREAU_NAME


class WebAppHeadViewlet(ViewletBase):
    """Links every page to the manifest and registers the service worker."""

    def base(self):
        """The site's address."""
        return api.portal.get().absolute_url()

    theme_color = THEME_COLOR
