"""The views and REST services our ZCML registers, read from the component registry."""

from dataclasses import dataclass
from pathlib import Path
from zope.component import getGlobalSiteManager
from zope.interface import Interface
from zope.publisher.interfaces.browser import IBrowserRequest
from zope.schema.interfaces import IVocabularyFactory

import zhangdian.approval


PACKAGE_DIR = str(Path(zhangdian.approval.__file__).parent)


@dataclass(frozen=True)
class Registered:
    """A view or service found in the component registry."""

    kind: str
    name: str
    for_: str
    method: str
    permission_title: str | None  # None: public (no check at all)
    zcml: str

    @property
    def key(self):
        """What identifies it in EXPECTED."""
        return (self.kind, self.name, self.for_, self.method if self.kind == "service" else None)


def _registrations(registry, seen):
    # Test layers stack registries: ours may sit below the one of the current test.
    if id(registry) in seen:
        return
    seen.add(id(registry))
    yield from registry.registeredAdapters()
    for base in registry.__bases__:
        yield from _registrations(base, seen)


def _permission_title(factory):
    # Five pages protect __call__, plone.rest services the whole class.
    roles = getattr(factory, "__call____roles__", getattr(factory, "__roles__", ()))
    if roles is None:
        return None
    return getattr(roles, "__name__", repr(roles))


def registered_views():
    """Every browser view and REST service registered by a ZCML file of our package."""
    found = {}
    for registration in _registrations(getGlobalSiteManager(), set()):
        zcml = getattr(registration.info, "file", None) or ""
        required = registration.required
        if not zcml.startswith(PACKAGE_DIR) or registration.provided is not Interface:
            continue
        if len(required) != 2 or not required[1].isOrExtends(IBrowserRequest):
            continue
        kind, method, name = "view", None, registration.name
        if "_application_json_" in name:
            kind = "service"
            method, name = name.split("_application_json_", 1)
        item = Registered(
            kind,
            name,
            # An exception view is registered for a class: its spec is named by __name__.
            getattr(required[0], "__identifier__", None) or required[0].__name__,
            method,
            _permission_title(registration.factory),
            zcml[len(PACKAGE_DIR) + 1 :],
        )
        found[item.key] = item
    return found


def _utility_registrations(registry, seen):
    if id(registry) in seen:
        return
    seen.add(id(registry))
    yield from registry.registeredUtilities()
    for base in registry.__bases__:
        yield from _utility_registrations(base, seen)


def registered_vocabularies():
    """The names of the vocabularies a ZCML file of our package registers."""
    return {
        registration.name
        for registration in _utility_registrations(getGlobalSiteManager(), set())
        if (getattr(registration.info, "file", None) or "").startswith(PACKAGE_DIR)
        and registration.provided.isOrExtends(IVocabularyFactory)
    }
