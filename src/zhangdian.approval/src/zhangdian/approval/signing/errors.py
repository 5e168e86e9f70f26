"""Errors of the portal's signing code: a stable `code`, an HTTP status and a translatable message.

The USB key's errors are raised by zhangdian.signer, which has no translations; at the border
`portal_errors_for_signer_errors` turns them into `TokenSigningError`s with the same code and
status and this domain's message for the signer's English template.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from zhangdian.approval import PACKAGE_NAME
from zhangdian.approval import _
from zhangdian.approval.errors import ApprovalError
from zhangdian.signer.errors import TokenError
from zope.i18nmessageid import Message


class SigningError(ApprovalError):
    """Base of every error the signing code reports to a user."""

    code = "signing_error"
    status = 500

    def __init__(self, message: Message):
        """Keep the translatable `message`; str() gives it in English."""
        super().__init__(message)


# The signer's templates are this domain's message ids (the same English text), so the
# catalogues' translations of the messages from before the signer moved out keep working.
_TOKEN_MESSAGES = {
    str(message): message
    for message in (
        _("The PKCS#11 library ${path} cannot be loaded: ${reason}"),
        _("No signing token labelled ${label} is present: plug in the USB key and try again."),
        _(
            "The PIN for the signing token ${label} is wrong. Several wrong attempts lock "
            "the token."
        ),
        _(
            "The signing token ${label} is locked after too many wrong PINs; ask the "
            "working group to unlock it."
        ),
        _("The signing token ${token} holds several keys; choose one by its label."),
        _(
            "The signing token ${token} holds no signing key with its certificate "
            "(key label ${key})."
        ),
        _("The signing token reported an error: ${reason}"),
        _("Signing certificates with ${key_type} keys are not supported; use RSA or ECDSA."),
    )
}


class TokenSigningError(SigningError):
    """An error of the USB key or its PKCS#11 library (from zhangdian.signer), translatable."""

    def __init__(self, error: TokenError):
        """The signer's `error` with its code, status and the portal's message for it."""
        self.code = error.code
        self.status = error.status
        # A template the portal does not know yet still reads as the signer's English.
        message = _TOKEN_MESSAGES.get(error.template, error.template)
        super().__init__(Message(message, domain=PACKAGE_NAME, mapping=dict(error.mapping)))


@contextmanager
def portal_errors_for_signer_errors() -> Iterator[None]:
    """Raise the signer's token errors raised inside as `TokenSigningError`s."""
    try:
        yield
    except TokenError as error:
        raise TokenSigningError(error) from error


class UnreadablePdf(SigningError):
    """The PDF to sign cannot be read."""

    code = "unreadable_pdf"
    status = 400

    def __init__(self):
        """The document is not a PDF pyHanko can read."""
        super().__init__(_("The document is not a readable PDF file."))


class FieldAlreadySigned(SigningError):
    """The signature field already holds a signature."""

    code = "already_signed"
    status = 409

    def __init__(self, field_name: str):
        """`field_name` is already filled."""
        super().__init__(
            _(
                "The signature field ${field} of this document is already signed.",
                mapping={"field": field_name},
            )
        )


class UnsupportedKey(SigningError):
    """The certificate's key cannot sign decisions."""

    code = "unsupported_key"
    status = 400

    def __init__(self, key_type: str):
        """The certificate carries a `key_type` key."""
        super().__init__(
            _(
                "Signing certificates with ${key_type} keys are not supported; use RSA or ECDSA.",
                mapping={"key_type": key_type},
            )
        )


class InvalidState(SigningError):
    """The stored state of a prepared signature is damaged or of another version."""

    code = "invalid_state"
    status = 400

    def __init__(self):
        """The state cannot be used to complete the signature."""
        super().__init__(
            _(
                "The prepared signature is damaged or was made by another version; prepare "
                "the document again."
            )
        )


class SignatureRejected(SigningError):
    """The signature value does not verify, so nothing was embedded."""

    code = "signature_rejected"
    status = 400

    def __init__(self):
        """The returned signature value is not a signature of the prepared data."""
        super().__init__(
            _(
                "The signature value does not match the prepared document and the "
                "certificate; the document was not signed."
            )
        )


class NoTimestampRoom(SigningError):
    """The prepared document has no room for a timestamp token."""

    code = "no_timestamp_room"
    status = 409

    def __init__(self):
        """Complete was asked for a timestamp that prepare did not reserve space for."""
        super().__init__(
            _(
                "The document was prepared without a timestamp authority, so no timestamp can "
                "be added now; prepare it again."
            )
        )


class TimestampFailed(SigningError):
    """The timestamp authority did not answer or refused."""

    code = "timestamp_failed"
    status = 502

    def __init__(self, url: str):
        """The TSA at `url` failed."""
        super().__init__(
            _(
                "The timestamp authority ${url} could not be reached or refused the request.",
                mapping={"url": url},
            )
        )
