"""1004 → 1005 (desks): the home page of an existing site becomes the bureau's front page."""

from plone import api
from zhangdian.approval import setuphandlers


def show_front_page(context):
    """Set the site's layout, as a fresh install does."""
    setuphandlers.show_front_page(api.portal.get())
