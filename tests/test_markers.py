"""Every collected test has exactly one kind marker (tests/conftest.py applies them from the folder and the layer)."""

from tests.helpers.markers import KIND_KEY


def test_every_test_has_exactly_one_kind(request):
    """unit, integration, functional, browser or storage: one each, never none or two."""
    kinds = request.config.stash[KIND_KEY]
    wrong = {nodeid: found for nodeid, found in kinds.items() if len(found) != 1}
    assert kinds
    assert not wrong, wrong
