"""What the public may look up: published matters, an application's status, public addresses."""

from plone import api
from Products.ZCTextIndex.ParseTree import ParseError
from urllib.parse import urlencode
from zhangdian.approval.rules.application import TRANSFERRED
from zope.globalrequest import getRequest
from zope.i18n import translate

import hmac
import re


def find_application(number):
    """The application with this number, whoever asks, or None."""
    brains = api.content.find(
        portal_type="Application", application_number=number, unrestricted=True
    )
    return brains[0]._unrestrictedGetObject() if brains else None


def application_for_holder(number, query_code):
    """The application with this number if the query code matches; None otherwise."""
    application = find_application(number)
    if application is None or not hmac.compare_digest(
        (application.query_code or "").encode(), (query_code or "").encode()
    ):
        return None
    return application


def public_status(number, query_code):
    """What the holder of the number and query code may know; None when they do not match."""
    application = application_for_holder(number, query_code)
    if application is None:
        return None
    state = api.content.get_state(application)
    matter = application.matter_object()
    notices = application.supplement_notices
    return {
        "number": application.number,
        "matter": {"code": application.matter, "title": matter.title if matter else None},
        "review_state": state,
        "review_state_title": translate(_state_title(state), domain="plone", context=getRequest()),
        "submitted_at": _iso(application.submitted_at),
        "accepted_at": _iso(application.accepted_at),
        "due_date": _iso(application.due_date),
        "decided_at": _iso(application.decided_at),
        "decision": application.decision,
        "supplement_notice": notices[-1]["text"] if state == "awaiting_supplement" else None,
        "transfer_reason": application.transfer_reason if state == TRANSFERRED else None,
        "decision_document": (
            public_url(DOCUMENT_VIEW, application, with_code=True)
            if application.decision_document is not None
            else None
        ),
    }


def _state_title(state):
    workflow = api.portal.get_tool("portal_workflow")["application_workflow"]
    return workflow.states[state].title


def _iso(value):
    return value.isoformat() if value is not None else None


STATUS_VIEW = "@@application-status"


DOCUMENT_VIEW = "@@decision-document"


def public_url(view, application, with_code=False):
    """The public address of `view` for this application (number, and query code if asked)."""
    query = {"number": application.number}
    if with_code:
        query["code"] = application.query_code
    return f"{api.portal.get().absolute_url()}/{view}?{urlencode(query)}"


MAX_QUERY_CHARS = 100


CODE_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,39}$")


def published_matters(container, text="", category=None, on_the_spot=False):
    """Catalog query for the published matters under `container`, filtered."""
    query = {
        "portal_type": "Matter",
        "review_state": "published",
        "path": "/".join(container.getPhysicalPath()),
        "sort_on": "matter_code",
    }
    if category:
        query["matter_category"] = category
    if on_the_spot:
        query["on_the_spot"] = True
    text = (text or "").strip()[:MAX_QUERY_CHARS]
    if text:
        if CODE_LIKE.match(text):
            by_code = api.content.find(matter_code=text.upper(), **query)
            if by_code:
                return by_code
        query["SearchableText"] = _searchable(text)
    try:
        return api.content.find(**query)
    except ParseError:
        # Nothing the text index can look for (punctuation only, stop words): no match.
        return []


def _searchable(text):
    # Each word must match; a trailing * lets 食品经 find 食品经营.
    words = [word for word in re.split(r"[\s\"()*]+", text) if word]
    return " AND ".join(f"{word}*" for word in words) if words else ""
