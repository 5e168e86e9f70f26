"""Interfaces of zhangdian.approval."""

from zope.publisher.interfaces.browser import IDefaultBrowserLayer


class IBrowserLayer(IDefaultBrowserLayer):
    """Marker for requests on a site where zhangdian.approval is installed."""
