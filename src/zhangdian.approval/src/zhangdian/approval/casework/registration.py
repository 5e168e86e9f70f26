"""Registering a new application under its number."""

from plone import api

import uuid


def register_application(folder, **data):
    """Create an application in `folder` as the current user, named after its number."""
    # The number is allocated when the object is added; the add form and REST reach the
    # same name through the INameFromTitle adapter, plone.api needs an id up front.
    application = api.content.create(
        container=folder, type="Application", id=f"new-{uuid.uuid4().hex}", **data
    )
    api.content.rename(obj=application, new_id=application.number.lower())
    return application
