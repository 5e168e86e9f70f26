"""The suite's Plone layers; its fixtures are plugins in tests/fixtures/, by concern."""

import os


# zope.i18n reads this when it is first imported: compile our .po files to .mo.
os.environ.setdefault("zope_i18n_compile_mo_files", "true")

from pytest_plone import fixtures_factory
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


@pytest.fixture
def package_name() -> str:
    """The distribution under test (used by pytest-plone's install fixtures)."""
    return "zhangdian.approval"
