"""Fixtures shared by the whole suite (pytest-plone)."""

from pytest_plone import fixtures_factory
from zhangdian.approval.testing import FUNCTIONAL_TESTING
from zhangdian.approval.testing import INTEGRATION_TESTING

import pytest


pytest_plugins = ["pytest_plone"]

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
