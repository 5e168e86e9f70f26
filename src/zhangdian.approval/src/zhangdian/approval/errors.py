"""The one root of every error the portal reports to a person: a stable code, a status, a message.

Subclasses keep their own `code` (the `type` of a REST error body, which clients and tests
rely on) and HTTP `status`; the messages are translatable and `str()` gives them in English
so that logs stay readable.
"""

from zope.i18n import interpolate
from zope.i18n import translate
from zope.i18nmessageid import Message


class ApprovalError(Exception):
    """Base of every refusal or failure shown to a user, on a page or over REST."""

    code = "approval_error"
    status = 400

    def __init__(self, *messages: Message):
        """Keep the translatable `messages` (one or more sentences)."""
        self.messages = messages
        super().__init__(*messages)

    @property
    def message(self) -> Message:
        """The first (usually the only) message."""
        return self.messages[0]

    def __str__(self) -> str:
        """The English messages with their placeholders filled in."""
        return " ".join(interpolate(m, getattr(m, "mapping", None)) for m in self.messages)

    def translated(self, request=None) -> str:
        """The messages in the language of `request` (English without one)."""
        if request is None:
            return str(self)
        return " ".join(translate(m, context=request) for m in self.messages)

    def as_json(self, request=None) -> dict[str, str]:
        """The `{"type", "message"}` body of an HTTP error answer."""
        return {"type": self.code, "message": self.translated(request)}
