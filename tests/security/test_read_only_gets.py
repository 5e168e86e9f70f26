"""Pages anyone may read do not write to the database when they are read."""

from zhangdian.approval.subscribers.matter_changes import ANNOTATION_KEY
from zope.annotation.interfaces import IAnnotations

import transaction


def test_matter_list_changes_creates_nothing(functional_portal, request_factory):
    """The change history of a list without changes is read without creating its log."""
    page = request_factory(api=False)
    page.headers["Accept"] = "text/html"
    response = page.get("matters/@@matter-list-changes")
    assert response.status_code == 200
    transaction.begin()
    assert ANNOTATION_KEY not in IAnnotations(functional_portal["matters"])
