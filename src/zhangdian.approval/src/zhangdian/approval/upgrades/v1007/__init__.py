"""Upgrade steps to profile version 1007."""

from plone import api
from zhangdian.approval.casework.verification import ensure_secret


def create_verification_secret(context):
    """The site's key for the tokens of decisions' QR codes (decisions already signed keep
    their older QR code, which opens the status lookup with the number filled in)."""
    ensure_secret(api.portal.get())
