"""The suite's Plone layers, its fixture plugins and the markers every test gets from its place."""

import os


# zope.i18n reads this when it is first imported: compile our .po files to .mo.
os.environ.setdefault("zope_i18n_compile_mo_files", "true")

from pytest_plone import fixtures_factory
from tests.helpers.markers import mark_kinds
from zhangdian.approval.testing import FUNCTIONAL_TESTING
from zhangdian.approval.testing import INTEGRATION_TESTING

import pytest


pytest_plugins = [
    "pytest_plone",
    "tests.fixtures.applications",
    "tests.fixtures.authorizations",
    "tests.fixtures.clock",
    "tests.fixtures.mail",
    "tests.fixtures.matters",
    "tests.fixtures.signing",
    "tests.fixtures.users",
]

globals().update(
    fixtures_factory(
        (
            (FUNCTIONAL_TESTING, "functional"),
            (INTEGRATION_TESTING, "integration"),
        )
    )
)


# tryfirst: the markers must be there before `-m` deselects by them.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test with its kind (and slow), so no file has to mark itself."""
    mark_kinds(config, items)


@pytest.fixture
def package_name() -> str:
    """The distribution under test (used by pytest-plone's install fixtures)."""
    return "zhangdian.approval"
