"""Profile version 1005 (accounts): failed logins are throttled per account and address."""

from plone import api
from zhangdian.approval import logger
from zhangdian.approval.accounts.plugin import install_plugin


def install_login_throttle(setup_tool):
    """Add the login throttle to the site's PAS, first among the authentication plugins."""
    plugin = install_plugin(api.portal.get())
    logger.info("1005: login throttle %s installed", plugin.getId())
