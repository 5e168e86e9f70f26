"""What a request brings: its JSON body and the fields in it, and whole-number parameters.

Used by the REST services and the browser views alike, so it sits below both. Every problem
is raised as a `BadInput`, which the REST error view answers as `{"type", "message"}`.
"""

from plone.restapi.deserializer import json_body
from plone.restapi.exceptions import DeserializationError
from zhangdian.approval import _
from zhangdian.approval.errors import BadInput
from zope.i18nmessageid import Message

import base64
import binascii


# The signature endpoints have always typed body and field problems so; other services say
# BadRequest.
BAD_REQUEST = "bad_request"
BAD_JSON = _("sign_bad_json", default="The request body is not a JSON object.")
BAD_CONTENT_TYPE = _(
    "error_json_content_type",
    default="Send the request body as JSON with the header Content-Type: application/json.",
)
MAX_CERTIFICATE = 64 * 1024
_REQUIRED = object()


def bad_field(field: str) -> BadInput:
    """The error for a missing or invalid field of a request."""
    return BadInput(
        _(
            "sign_bad_field",
            default="The field ${field} is missing or invalid.",
            mapping={"field": field},
        ),
        code=BAD_REQUEST,
    )


def json_object(request) -> dict:
    """The JSON object of a request body; BadInput when the body is not one.

    The JSON services switch CSRF protection off, as plone.restapi's own do; requiring the
    JSON media type keeps a cross-site form (text/plain, no preflight) from posting to them.
    """
    media_type = (request.getHeader("Content-Type") or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise BadInput(BAD_CONTENT_TYPE, code="bad_content_type", status=415)
    try:
        # json_body refuses JSON that is not an object, too.
        return json_body(request)
    except DeserializationError as error:
        raise BadInput(BAD_JSON, code=BAD_REQUEST) from error


def is_utf8(text: str) -> bool:
    """False for text with lone surrogates (JSON \\ud800 escapes, form bytes that were not UTF-8).

    Such text would be signed and then break the journal's UTF-8 hashing at commit.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_field(data: dict, field: str, required: bool = True, limit: int = 2000) -> str:
    """A text field of a JSON body; BadInput when missing, not text or too long."""
    value = data.get(field, "") if isinstance(data, dict) else None
    if value is None and not required:
        value = ""
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise bad_field(field)
    if not is_utf8(value):
        raise bad_field(field)
    return value


def bytes_field(data: dict, field: str, limit: int = 64 * 1024) -> bytes:
    """A base64 field of a JSON body, decoded; BadInput when it is not base64."""
    value = text_field(data, field, limit=limit * 4 // 3 + 4)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise bad_field(field) from error


def certificate_field(data: dict, required: bool = True) -> str | bytes | None:
    """The `certificate` field: PEM text as given, base64 DER decoded (None if optional, absent)."""
    if not required and not (isinstance(data, dict) and data.get("certificate")):
        return None
    value = text_field(data, "certificate", limit=MAX_CERTIFICATE)
    if value.lstrip().startswith("-----BEGIN"):
        return value
    return bytes_field(data, "certificate")


def whole_number(value, least: int | None = None, most: int | None = None) -> int | None:
    """`value` as an int from `least` to `most` (each optional); None when it is not one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    if (least is not None and number < least) or (most is not None and number > most):
        return None
    return number


def int_param(
    request,
    name: str,
    message: Message,
    least: int | None = None,
    most: int | None = None,
    default=_REQUIRED,
) -> int | None:
    """The query parameter `name` as a whole number in range, else BadInput with `message`.

    A missing parameter gives `default`; without one, it is refused like a bad value.
    """
    form = request.form
    if name not in form and default is not _REQUIRED:
        return default
    number = whole_number(form.get(name, ""), least, most)
    if number is None:
        raise BadInput(message)
    return number


def check_batching(request) -> None:
    """Refuse b_start and b_size that are not whole numbers of 0 and 1 or more.

    plone.restapi's HypermediaBatch fails with a 500 on a negative size.
    """
    message = _(
        "error_matters_batch",
        default="b_start must be a whole number of 0 or more and b_size one of 1 or more.",
    )
    int_param(request, "b_start", message, least=0, default=None)
    int_param(request, "b_size", message, least=1, default=None)
