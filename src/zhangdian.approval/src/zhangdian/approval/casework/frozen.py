"""An application has one number and one record, ever: it is never copied, renamed or moved.

The workflow freezes a decided application's permissions; these rules hold in every state,
because a copy (number, query code, decision and all) or a renamed case is a second record.
"""

from zhangdian.approval import _
from zhangdian.approval.errors import Refused


class ApplicationNotCopyable(Refused):
    """Copying an application (or a folder holding one) was refused."""

    code = "application_not_copyable"
    status = 409


class ApplicationNotMovable(Refused):
    """Renaming or moving an application was refused."""

    code = "application_not_movable"
    status = 409


def refuse_copy(application, event):
    """Refuse every copy: clipboard paste, @copy, api.content.copy, a copied parent folder."""
    raise ApplicationNotCopyable(
        _(
            "refuse_application_copy",
            default="An application cannot be copied: it has one number and one record.",
        )
    )


def refuse_move(application, event):
    """Refuse a rename or a move; the applications folder names each one after its number."""
    if event.oldParent is None or event.newParent is None:
        return  # added or deleted, not moved
    raise ApplicationNotMovable(
        _(
            "refuse_application_move",
            default="An application cannot be renamed or moved: its name is its number.",
        )
    )
