"""The suite's Plone layers, its fixture plugins and the markers every test gets from its place."""

import os


# zope.i18n reads this when it is first imported: compile our .po files to .mo.
os.environ.setdefault("zope_i18n_compile_mo_files", "true")

from pytest_plone import fixtures_factory
from tests.helpers.markers import mark_kinds
from tests.helpers.markers import uses_layer
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
    "tests.fixtures.oversight",
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


def _keep_layer_if_used(prefix):
    """pytest-plone's session keeper, but only when a selected test uses the layer at all."""

    # A `-m unit` run (or tests/unit alone) then sets up no Plone site; a run that uses the
    # layer keeps it for the whole session exactly as pytest-plone does.
    @pytest.fixture(scope="session", autouse=True)
    def keep(request):
        if any(uses_layer(item, prefix) for item in request.session.items):
            request.getfixturevalue(f"{prefix}_session")

    return keep


_keep_functional_session = _keep_layer_if_used("functional")
_keep_integration_session = _keep_layer_if_used("integration")


# tryfirst: the markers must be there before `-m` deselects by them.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test with its kind (and slow), so no file has to mark itself."""
    mark_kinds(config, items)


@pytest.fixture
def package_name() -> str:
    """The distribution under test (used by pytest-plone's install fixtures)."""
    return "zhangdian.approval"


@pytest.fixture(autouse=True)
def _forget_failed_lookups():
    """Each test starts with no failed status lookups counted (they live in process memory)."""
    from zhangdian.approval.casework.lookup_limit import forget_failed_lookups

    forget_failed_lookups()
    yield
    forget_failed_lookups()
