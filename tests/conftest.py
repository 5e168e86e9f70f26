"""Fixtures shared by the whole suite (pytest-plone)."""

import os


# zope.i18n reads this when it is first imported: compile our .po files to .mo.
os.environ.setdefault("zope_i18n_compile_mo_files", "true")

from approval_testing import PASSWORD
from approval_testing import populate
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


@pytest.fixture
def matter_list(portal):
    """The matter list with two categories and matters in every state."""
    return populate(portal)


@pytest.fixture
def functional_matter_list(functional_portal):
    """The same content, committed for tests that go through HTTP."""
    import transaction

    matter_list = populate(functional_portal)
    transaction.commit()
    return matter_list


@pytest.fixture
def user_request(request_factory):
    """A REST session logged in as one of the test users (or anonymous for None)."""

    def factory(userid):
        if userid is None:
            return request_factory()
        return request_factory(basic_auth=(userid, PASSWORD))

    return factory
