"""People as the portal shows them: full name, with the id beside it where an auditor needs it."""

from plone import api


def person_name(userid):
    """The full name of the account `userid`, else the id ("" for none)."""
    if not userid:
        return ""
    user = api.user.get(userid=userid)
    return (user.getProperty("fullname") if user else "") or userid


def person_label(userid):
    """The full name with the id in brackets, "张三 (approver1)"; the id alone when no name."""
    name = person_name(userid)
    return f"{name} ({userid})" if name and name != userid else name
