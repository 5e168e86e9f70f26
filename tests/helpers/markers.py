"""Which kind of test an item is, from its folder and the Plone layer it uses."""

from pathlib import Path

import pytest


TESTS = Path(__file__).resolve().parent.parent
# Each test is exactly one of these (tests/test_markers.py checks it).
KINDS = ("unit", "integration", "functional", "browser", "storage")
# Folders whose tests are of one kind whatever fixtures they use; elsewhere the layer decides.
FOLDER_KINDS = {"unit": "unit", "browser": "browser", "storage": "storage"}
# Folders whose tests are also slow (a real Chromium, real Zope instances and PostgreSQL).
SLOW_FOLDERS = {"browser", "storage"}
# nodeid -> the kind markers the test ended up with, for tests/test_markers.py.
KIND_KEY = pytest.StashKey[dict]()


def folder_of(item) -> str:
    """The first folder under tests/ ('' for a module directly in tests/)."""
    parts = Path(item.path).resolve().relative_to(TESTS).parts
    return parts[0] if len(parts) > 1 else ""


def uses_layer(item, prefix) -> bool:
    """Whether the test requests the layer `prefix` (functional or integration), maybe indirectly."""
    # fixturenames is the closure, so a layer reached through other fixtures counts.
    return bool(set(item.fixturenames) & {prefix, f"{prefix}_class"})


def kind_of(item) -> str:
    """unit, integration, functional, browser or storage, from the folder, then the layer."""
    folder = folder_of(item)
    if folder in FOLDER_KINDS:
        return FOLDER_KINDS[folder]
    for prefix in ("functional", "integration"):
        if uses_layer(item, prefix):
            return prefix
    return "unit"


def mark_kinds(config, items):
    """Add each test's kind marker (and slow), and record what every test is marked with."""
    for item in items:
        item.add_marker(kind_of(item))
        if folder_of(item) in SLOW_FOLDERS:
            item.add_marker("slow")
    config.stash[KIND_KEY] = {
        item.nodeid: [kind for kind in KINDS if item.get_closest_marker(kind)] for item in items
    }
