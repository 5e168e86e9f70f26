"""An application has one number and one record, ever: it is never copied, renamed or moved.

The workflow freezes a decided application's permissions; these rules hold in every state,
because a copy (number, query code, decision and all) or a renamed case is a second record.

Zope asks the object itself before any copy, cut or rename (`cb_isCopyable`,
`cb_isMoveable`) on every route: the ZMI's manage_copyObjects / manage_cutObjects /
manage_renameObject / manage_pasteObjects, REST @copy / @move, WebDAV, the folder contents.
The application answers with the refusal itself rather than False, so that each route says
why (409 `application_not_copyable` / `application_not_movable`) instead of Zope's bare
CopyError (a 500 over REST). The event subscribers below still catch what does not ask
(a copied or moved parent folder).
"""

from zhangdian.approval import _
from zhangdian.approval.errors import Refused


class RefusedChange(Refused):
    """A change of a record that is kept as it is; `target` names the record."""

    status = 409
    target = None

    def __init__(self, *messages, target=None, **options):
        """Refuse, naming the `target` (an application number) for the refused-attempt journal."""
        super().__init__(*messages, **options)
        self.target = target


class ApplicationNotCopyable(RefusedChange):
    """Copying an application (or a folder holding one) was refused."""

    code = "application_not_copyable"


class ApplicationNotMovable(RefusedChange):
    """Renaming or moving an application was refused."""

    code = "application_not_movable"


COPY_REFUSED = _(
    "refuse_application_copy",
    default="An application cannot be copied: it has one number and one record.",
)
MOVE_REFUSED = _(
    "refuse_application_move",
    default="An application cannot be renamed or moved: its name is its number.",
)


def refuse_copy(application, event):
    """Refuse every copy: clipboard paste, @copy, api.content.copy, a copied parent folder."""
    raise ApplicationNotCopyable(COPY_REFUSED, target=application.number)


def refuse_move(application, event):
    """Refuse a rename or a move; the applications folder names each one after its number."""
    if event.oldParent is None or event.newParent is None:
        return  # added or deleted, not moved
    raise ApplicationNotMovable(MOVE_REFUSED, target=application.number)
