"""The one root of every error the portal reports to a person: a stable code, a status, a message.

Subclasses keep their own `code` (the `type` of a REST error body, which clients and tests
rely on) and HTTP `status`; the messages are translatable and `str()` gives them in English
so that logs stay readable.
"""

from zope.i18n import interpolate
from zope.i18n import translate
from zope.i18nmessageid import Message


def english(message: Message | str) -> str:
    """A message in English: its default text (else its id) with the placeholders filled in."""
    mapping = getattr(message, "mapping", None)
    if mapping:
        mapping = {k: english(v) if isinstance(v, Message) else v for k, v in mapping.items()}
    return interpolate(getattr(message, "default", None) or message, mapping)


class ApprovalError(Exception):
    """Base of every refusal or failure shown to a user, on a page or over REST."""

    code = "approval_error"
    status = 400

    def __init__(self, *messages: Message, code: str | None = None, status: int | None = None):
        """Keep the translatable `messages`; `code` and `status` override the class's own."""
        self.messages = messages
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        super().__init__(*messages)

    @property
    def message(self) -> Message:
        """The first (usually the only) message."""
        return self.messages[0]

    def __str__(self) -> str:
        """The English messages with their placeholders filled in."""
        return " ".join(english(m) for m in self.messages)

    def translated(self, request=None) -> str:
        """The messages in the language of `request` (English without one)."""
        if request is None:
            return str(self)
        return " ".join(translate(m, context=request) for m in self.messages)

    def as_json(self, request=None) -> dict[str, str]:
        """The `{"type", "message"}` body of an HTTP error answer."""
        return {"type": self.code, "message": self.translated(request)}


class Refused(ApprovalError):
    """A rule refuses what was asked (not allowed, not now, already done); nothing changes."""

    code = "refused"


class BadInput(ApprovalError):
    """The request itself is wrong: a missing or malformed parameter, field or body."""

    code = "BadRequest"


class NothingFound(ApprovalError):
    """What the request names does not exist, or is not visible to whoever asks."""

    code = "NotFound"
    status = 404
