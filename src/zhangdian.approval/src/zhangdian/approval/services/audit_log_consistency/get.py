"""GET @audit-log-consistency: the proof that one head's tree is a prefix of a later one's."""

from plone.restapi.services import Service
from zhangdian.approval import _
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.body import int_param
from zhangdian.approval.errors import BadInput


def head_size(request, name, log, default_newest=True):
    """The query parameter `name` as the size of a head issued, else BadInput."""
    newest = log.latest_head()
    if name not in request.form and default_newest and newest is not None:
        return newest["tree_size"]
    message = _(
        "error_log_head_size",
        default="${name} must be the tree size of a signed head (see @audit-log-sth).",
        mapping={"name": name},
    )
    size = int_param(request, name, message, least=1)
    if size not in log.heads:
        raise BadInput(message)
    return size


class AuditLogConsistencyGet(Service):
    """Query: first, second (tree sizes of two heads, first at most second)."""

    def reply(self):
        log = journal()
        first = head_size(self.request, "first", log, default_newest=False)
        second = head_size(self.request, "second", log, default_newest=False)
        if first > second:
            raise BadInput(
                _("error_log_head_order", default="first must not be larger than second.")
            )
        return {
            "first": first,
            "second": second,
            "consistency_path": [node.hex() for node in log.tree.consistency_proof(first, second)],
        }
