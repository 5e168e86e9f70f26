"""Registering a new application under its number."""

from plone.dexterity.utils import createContentInContainer


def register_application(folder, **data):
    """Create an application in `folder` as the current user, named after its number."""
    # The applications folder names every application it receives after its number.
    return createContentInContainer(folder, "Application", checkConstraints=True, **data)
