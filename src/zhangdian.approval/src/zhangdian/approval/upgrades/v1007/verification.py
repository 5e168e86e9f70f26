"""1007: the site's key for the verification tokens in decisions' QR codes."""

from plone import api
from zhangdian.approval.casework.verification import ensure_secret


def create_verification_secret(context):
    """Create the key; decisions already signed keep their older QR code (the status lookup)."""
    ensure_secret(api.portal.get())
