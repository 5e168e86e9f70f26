"""What a submitted material file may be: a PDF, JPEG or PNG of a bounded size."""

from zhangdian.approval import _
from zope.schema.interfaces import ValidationError


# A scanned multi-page PDF at 300 dpi stays well below this; a phone photo too.
MAX_MATERIAL_BYTES = 20 * 1024 * 1024
# The first bytes of each accepted format: the file's own name and content type can lie.
SIGNATURES = (b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
MATERIAL_FILE_HELP = _(
    "help_material_file",
    default="PDF, JPEG or PNG, at most ${most} MB.",
    mapping={"most": str(MAX_MATERIAL_BYTES // (1024 * 1024))},
)


class MaterialWrongType(ValidationError):
    __doc__ = _(
        "error_material_wrong_type",
        default="Upload a PDF, JPEG or PNG file (the approver reviews it in the browser).",
    )


class MaterialTooLarge(ValidationError):
    """A file over the limit: say the limit."""

    def doc(self):
        """The message, naming the limit in megabytes."""
        return _(
            "error_material_too_large",
            default="The file is larger than ${most} MB: scan it at a lower resolution.",
            mapping={"most": str(MAX_MATERIAL_BYTES // (1024 * 1024))},
        )


class MaterialEmpty(ValidationError):
    __doc__ = _("error_material_empty", default="The file is empty.")


def check_material_file(file):
    """True for an acceptable material file; raise the reason otherwise."""
    size = file.getSize()
    if not size:
        raise MaterialEmpty()
    if size > MAX_MATERIAL_BYTES:
        raise MaterialTooLarge(size)
    # Read only once the size is known to be bounded.
    if not any(file.data.startswith(signature) for signature in SIGNATURES):
        raise MaterialWrongType()
    return True
