"""Errors of the signer: a stable `code`, an HTTP `status` and an English message template.

The signer has no translation machinery: a message is a `string.Template` (`${label}` style)
and its `mapping`. The portal translates by the template, which is its message id
(zhangdian.approval.signing.errors), so a template changes only together with the portal.
"""

from string import Template


class SignerError(Exception):
    """Base of every error the signer reports."""

    code = "signer_error"
    status = 500

    def __init__(self, template: str, **mapping: str):
        """The message `template` with the values of its placeholders."""
        self.template = template
        self.mapping = mapping
        super().__init__(template)

    def __str__(self) -> str:
        """The English message with its placeholders filled in."""
        return Template(self.template).safe_substitute(self.mapping)

    def as_json(self) -> dict[str, str]:
        """The `{"type", "message"}` body of an HTTP error answer."""
        return {"type": self.code, "message": str(self)}


class TokenError(SignerError):
    """Base of the errors of the USB key and its PKCS#11 library (the portal reports these)."""


class LibraryMissing(TokenError):
    """The PKCS#11 library cannot be loaded."""

    code = "library_missing"
    status = 503

    def __init__(self, library_path: str, reason: str):
        """The library at `library_path` failed to load because of `reason`."""
        super().__init__(
            "The PKCS#11 library ${path} cannot be loaded: ${reason}",
            path=library_path,
            reason=reason,
        )


class TokenNotFound(TokenError):
    """No token with the label is present."""

    code = "token_not_found"
    status = 404

    def __init__(self, token_label: str):
        """No token labelled `token_label` is plugged in."""
        self.token_label = token_label
        super().__init__(
            "No signing token labelled ${label} is present: plug in the USB key and try again.",
            label=token_label,
        )


class WrongPin(TokenError):
    """The token refused the PIN."""

    code = "wrong_pin"
    status = 401

    def __init__(self, token_label: str):
        """The PIN given for `token_label` is wrong."""
        super().__init__(
            "The PIN for the signing token ${label} is wrong. Several wrong attempts lock "
            "the token.",
            label=token_label,
        )


class PinLocked(TokenError):
    """The token is locked after too many wrong PINs."""

    code = "pin_locked"
    status = 403

    def __init__(self, token_label: str):
        """The user PIN of `token_label` is locked."""
        super().__init__(
            "The signing token ${label} is locked after too many wrong PINs; ask the "
            "working group to unlock it.",
            label=token_label,
        )


class KeyNotFound(TokenError):
    """The token holds no usable signing key and certificate (or several)."""

    code = "key_not_found"
    status = 404

    def __init__(self, token_label: str, key_label: str | None, detail: str = "missing"):
        """No (or no unique, when `detail` is "ambiguous") key/certificate pair on the token."""
        if detail == "ambiguous":
            template = "The signing token ${token} holds several keys; choose one by its label."
        else:
            template = (
                "The signing token ${token} holds no signing key with its certificate "
                "(key label ${key})."
            )
        super().__init__(template, token=token_label, key=key_label or "*")


class TokenFailure(TokenError):
    """Any other error the PKCS#11 library reported."""

    code = "token_failure"
    status = 502

    def __init__(self, reason: str):
        """The library failed with `reason` (the PKCS#11 error name)."""
        super().__init__("The signing token reported an error: ${reason}", reason=reason)


class UnsupportedTokenKey(TokenError):
    """The key on the token is of a type the signer cannot sign with."""

    code = "unsupported_key"
    status = 400

    def __init__(self, key_type: str):
        """The token's key is a `key_type` key."""
        super().__init__(
            "Signing certificates with ${key_type} keys are not supported; use RSA or ECDSA.",
            key_type=key_type,
        )


# --- errors of the agent's HTTP interface (only the browser sees these) ---------------------


class BadRequest(SignerError):
    """The request is malformed."""

    code = "bad_request"
    status = 400


class OriginForbidden(SignerError):
    """The request does not come from an allowed portal page."""

    code = "origin_forbidden"
    status = 403

    def __init__(self):
        """The Origin (or Host) header is missing or not allowed."""
        super().__init__("This signing agent only answers the portal pages it was started for.")


class BodyTooLarge(SignerError):
    """The request body exceeds the agent's limit."""

    code = "body_too_large"
    status = 413

    def __init__(self, limit: int):
        """The body is larger than `limit` bytes."""
        super().__init__("The request is larger than ${limit} bytes.", limit=str(limit))


class Declined(SignerError):
    """The approver refused to sign."""

    code = "declined"
    status = 403

    def __init__(self):
        """The approver answered no or cancelled the window."""
        super().__init__("The approver declined to sign.")


class CertificateMismatch(SignerError):
    """The portal prepared the document for another certificate than the one on the token."""

    code = "certificate_mismatch"
    status = 409

    def __init__(self):
        """The signing-certificate attribute names another certificate."""
        super().__init__(
            "The document was prepared for another certificate than the one on this "
            "USB key; plug in your own key."
        )


class NotFound(SignerError):
    """No such endpoint."""

    code = "not_found"
    status = 404

    def __init__(self):
        """The path is unknown."""
        super().__init__("Unknown address; the agent offers /status and /sign.")


class DocumentUnreadable(SignerError):
    """The document is not a decision PDF prepared for one signature that the agent can read."""

    code = "document_unreadable"
    status = 400

    def __init__(self):
        """No signed byte range covering all but the placeholder, or no decision to show."""
        # Both languages, as the confirmation: the page shows this to the approver as it is.
        super().__init__(
            "该文件不是门户为签署准备的决定书：无法读取其签署范围或决定内容，未签署。 "
            "The document is not a decision prepared by the portal for signing: its signed "
            "byte range or its decision details cannot be read. Nothing was signed."
        )


class DocumentMismatch(SignerError):
    """What the page asked to sign is not the document it sent, or not what it summarised."""

    code = "document_mismatch"
    status = 400

    def __init__(self, detail: str):
        """The `detail` ("digest" or "summary") that does not match the document."""
        if detail == "digest":
            template = (
                "待签数据不属于随附的决定书，未签署。 "
                "The data to sign belongs to another document than the one sent with it. "
                "Nothing was signed."
            )
        else:
            template = (
                "页面显示的决定与决定书中的决定不一致，未签署。 "
                "The decision shown on the page differs from the decision in the document. "
                "Nothing was signed."
            )
        super().__init__(template)
