"""The PAS plugin that throttles password logins: the one choke point of every login route.

Every route that checks a password — the login form, REST `@login`, HTTP basic auth on any
URL — hands the login and password to the authentication plugins of the site's PAS, in
their order. This plugin is activated first. It never authenticates anyone itself:

- while the name or the client address is refused (rules/login.py), it empties the
  credentials, so that the plugins after it get nothing to check and even the right
  password does not log in (PAS passes the same mapping to each plugin; Products.LoginLockout
  relies on the same property), and notes the verdict on the request for the login form and
  `@login` to explain;
- otherwise it asks the other authentication plugins (and the user folder above the site,
  where the Zope administrator lives) whether they accept the password, and counts a failure
  or clears the failures of a name that had some. Nothing is written for an ordinary login.

Credentials without a password (the session cookie, a JWT) are not password guesses.
"""

from AccessControl.class_init import InitializeClass
from Acquisition import aq_base
from Acquisition import aq_inner
from Acquisition import aq_parent
from Products.PluggableAuthService.interfaces.plugins import IAuthenticationPlugin
from Products.PluggableAuthService.PluggableAuthService import _SWALLOWABLE_PLUGIN_EXCEPTIONS
from Products.PluggableAuthService.plugins.BasePlugin import BasePlugin
from zhangdian.approval.accounts import throttle
from zhangdian.approval.casework.lookup_limit import client_address
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest
from zope.interface import implementer

import hashlib


PLUGIN_ID = "zhangdian_login_throttle"
VERDICTS_KEY = "zhangdian.approval.login_verdicts"


def login_refusal(request):
    """The `LoginRefused` the plugin noted on `request`, or None."""
    if request is None:
        return None
    verdicts = IAnnotations(request).get(VERDICTS_KEY) or {}
    for verdict in verdicts.values():
        if not verdict.allowed:
            return throttle.LoginRefused(verdict)
    return None


# Pickled in every site's acl_users: the class keeps this module path (or leaves an alias).
@implementer(IAuthenticationPlugin)
class LoginThrottlePlugin(BasePlugin):
    """Refuse password logins while throttled; count the failures of the plugins after it."""

    meta_type = "Zhangdian Login Throttle"

    def __init__(self, plugin_id, title=None):
        """A plugin called `plugin_id`."""
        self._setId(plugin_id)
        self.title = title

    def authenticateCredentials(self, credentials):
        """Never authenticates; refuses (empties `credentials`) or counts, see the module."""
        login = credentials.get("login")
        password = credentials.get("password")
        if not login or password is None:
            return None
        request = getRequest()
        site = aq_parent(aq_inner(self._getPAS()))
        address = client_address(request) if request is not None else "unknown"
        # One judgement per name and password per request: PAS may extract the same
        # credentials twice (form and basic auth), and a second pass must not count again.
        memo = IAnnotations(request).setdefault(VERDICTS_KEY, {}) if request is not None else {}
        key = (login, hashlib.sha256(str(password).encode("utf-8")).hexdigest())
        verdict = memo.get(key)
        if verdict is None:
            verdict = throttle.login_verdict(login, address, site)
            memo[key] = verdict
            if verdict.allowed:
                if self._accepted_elsewhere(credentials, request):
                    throttle.count_success(site, login)
                else:
                    throttle.count_failure(site, login, address)
        if not verdict.allowed:
            credentials.clear()
        return None

    def _accepted_elsewhere(self, credentials, request):
        """True if another plugin of this PAS, or a user folder above it, accepts them."""
        pas = self._getPAS()
        for _plugin_id, plugin in pas.plugins.listPlugins(IAuthenticationPlugin):
            if aq_base(plugin) is aq_base(self):
                continue
            try:
                found = plugin.authenticateCredentials(dict(credentials))
            except _SWALLOWABLE_PLUGIN_EXCEPTIONS:
                continue
            if found and found[0] is not None:
                return True
        site = aq_parent(aq_inner(pas))
        above = aq_parent(aq_inner(site))
        folder = getattr(above, "acl_users", None) if above is not None else None
        if folder is None or aq_base(folder) is aq_base(pas):
            return False
        return (
            folder.authenticate(credentials["login"], credentials["password"], request) is not None
        )


InitializeClass(LoginThrottlePlugin)


def install_plugin(portal):
    """Add the plugin to the site's PAS and make it the first authentication plugin."""
    pas = portal.acl_users
    if PLUGIN_ID not in pas.objectIds():
        pas._setObject(PLUGIN_ID, LoginThrottlePlugin(PLUGIN_ID, "Login throttle (zhangdian)"))
    plugins = pas.plugins
    if PLUGIN_ID not in plugins.listPluginIds(IAuthenticationPlugin):
        plugins.activatePlugin(IAuthenticationPlugin, PLUGIN_ID)
    while plugins.listPluginIds(IAuthenticationPlugin)[0] != PLUGIN_ID:
        plugins.movePluginsUp(IAuthenticationPlugin, [PLUGIN_ID])
    return pas[PLUGIN_ID]


def uninstall_plugin(portal):
    """Remove the plugin (the counts stay in the site's annotations)."""
    pas = portal.acl_users
    if PLUGIN_ID in pas.objectIds():
        pas._delObject(PLUGIN_ID)
