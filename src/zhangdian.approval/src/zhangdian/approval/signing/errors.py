"""Errors of the signing code: a stable `code`, an HTTP status and a translatable message."""

from zhangdian.approval import _
from zhangdian.approval.errors import ApprovalError


class SigningError(ApprovalError):
    """Base of every error the signing code reports to a user."""

    code = "signing_error"
    status = 500

    def __init_subclass__(cls, **kwargs):
        """Take a subclass's `http_status` as its `status`."""
        super().__init_subclass__(**kwargs)
        # The token and agent errors still spell it http_status until they move to
        # zhangdian.signer.
        if "http_status" in cls.__dict__:
            cls.status = cls.__dict__["http_status"]

    @property
    def http_status(self) -> int:
        """The status under its old name, which the signing agent reads."""
        return self.status


class LibraryMissing(SigningError):
    """The PKCS#11 library cannot be loaded."""

    code = "library_missing"
    http_status = 503

    def __init__(self, library_path: str, reason: str):
        """The library at `library_path` failed to load because of `reason`."""
        super().__init__(
            _(
                "The PKCS#11 library ${path} cannot be loaded: ${reason}",
                mapping={"path": library_path, "reason": reason},
            )
        )


class TokenNotFound(SigningError):
    """No token with the label is present."""

    code = "token_not_found"
    http_status = 404

    def __init__(self, token_label: str):
        """No token labelled `token_label` is plugged in."""
        self.token_label = token_label
        super().__init__(
            _(
                "No signing token labelled ${label} is present: plug in the USB key and try again.",
                mapping={"label": token_label},
            )
        )


class WrongPin(SigningError):
    """The token refused the PIN."""

    code = "wrong_pin"
    http_status = 401

    def __init__(self, token_label: str):
        """The PIN given for `token_label` is wrong."""
        super().__init__(
            _(
                "The PIN for the signing token ${label} is wrong. Several wrong attempts lock "
                "the token.",
                mapping={"label": token_label},
            )
        )


class PinLocked(SigningError):
    """The token is locked after too many wrong PINs."""

    code = "pin_locked"
    http_status = 403

    def __init__(self, token_label: str):
        """The user PIN of `token_label` is locked."""
        super().__init__(
            _(
                "The signing token ${label} is locked after too many wrong PINs; ask the "
                "working group to unlock it.",
                mapping={"label": token_label},
            )
        )


class KeyNotFound(SigningError):
    """The token holds no usable signing key and certificate (or several)."""

    code = "key_not_found"
    http_status = 404

    def __init__(self, token_label: str, key_label: str | None, detail: str = "missing"):
        """No (or no unique, when `detail` is "ambiguous") key/certificate pair on the token."""
        mapping = {"token": token_label, "key": key_label or "*"}
        if detail == "ambiguous":
            message = _(
                "The signing token ${token} holds several keys; choose one by its label.",
                mapping=mapping,
            )
        else:
            message = _(
                "The signing token ${token} holds no signing key with its certificate "
                "(key label ${key}).",
                mapping=mapping,
            )
        super().__init__(message)


class TokenFailure(SigningError):
    """Any other error the PKCS#11 library reported."""

    code = "token_failure"
    http_status = 502

    def __init__(self, reason: str):
        """The library failed with `reason` (the PKCS#11 error name)."""
        super().__init__(
            _("The signing token reported an error: ${reason}", mapping={"reason": reason})
        )


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
