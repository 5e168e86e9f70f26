"""The verification address printed as a decision's QR code: number and an HMAC token.

The token is HMAC-SHA256 over the number and the decision, keyed with a secret kept on the
site (never shown on any page), cut to 20 hex digits (80 bits). It proves that the bureau
issued this QR for this decision without carrying the applicant's query code: a photo of
the QR lets anyone confirm the decision, not follow or download the case. A hash of the
signed PDF cannot be the token, because the address is printed inside that PDF before it
is signed. Guessing tokens counts as failed lookups (`limited_lookup`), like wrong query
codes.
"""

from plone import api
from urllib.parse import urlencode
from zhangdian.approval.casework.public import find_application
from zope.annotation.interfaces import IAnnotations

import hashlib
import hmac
import re
import secrets


SECRET_KEY = "zhangdian.approval.verification_secret"  # noqa: S105 - an annotation key
VERIFY_VIEW = "@@verify-decision"
TOKEN_LENGTH = 20
TOKEN_SHAPE = re.compile(rf"^[0-9a-f]{{{TOKEN_LENGTH}}}$")


def ensure_secret(portal):
    """Create the site's verification secret once (install, upgrade, first decision)."""
    annotations = IAnnotations(portal)
    if not annotations.get(SECRET_KEY):
        annotations[SECRET_KEY] = secrets.token_bytes(32)
    return annotations[SECRET_KEY]


def verification_token(number, decision, portal=None):
    """The token of the decision `decision` (approved/refused) on application `number`."""
    secret = ensure_secret(portal or api.portal.get())
    message = f"{number}\n{decision}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def verify_url(application, decision):
    """The address the decision's QR code encodes."""
    portal = api.portal.get()
    query = urlencode(
        {"number": application.number, "token": verification_token(application.number, decision)}
    )
    return f"{portal.absolute_url()}/{VERIFY_VIEW}?{query}"


def decided_application(number, token):
    """The decided application whose decision this token was issued for; None otherwise."""
    if not TOKEN_SHAPE.match(token or ""):
        return None
    secret = IAnnotations(api.portal.get()).get(SECRET_KEY)
    application = find_application(number) if secret else None
    if application is None or application.decision is None:
        return None
    expected = verification_token(application.number, application.decision)
    return application if hmac.compare_digest(expected, token) else None
