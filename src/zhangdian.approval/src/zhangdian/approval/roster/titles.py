"""The title of an authorisation: the approver's full name and the period."""

from plone import api


def authorization_title(approver, valid_from, valid_until):
    """ "张三 2026-01-01 – 2026-12-31": the name, else the user id, and the period."""
    user = api.user.get(userid=approver) if approver else None
    name = (user.getProperty("fullname") if user else "") or approver or ""
    period = " – ".join(day.isoformat() for day in (valid_from, valid_until) if day)
    return f"{name} {period}".strip()
