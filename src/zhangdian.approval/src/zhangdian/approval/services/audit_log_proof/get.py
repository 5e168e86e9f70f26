"""GET @audit-log-proof: the inclusion proof of one entry against a head (public, no content)."""

from plone import api
from plone.restapi.services import Service
from zhangdian.approval import _
from zhangdian.approval.audit.journal import READ_JOURNAL
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.body import int_param
from zhangdian.approval.services.audit_log_consistency.get import head_size


class AuditLogProofGet(Service):
    """Query: seq (1-based entry number), tree_size (a head's size; the newest by default)."""

    def reply(self):
        log = journal()
        size = head_size(self.request, "tree_size", log)
        seq = int_param(
            self.request,
            "seq",
            _(
                "error_log_seq",
                default="seq must be an entry number from 1 to ${size}.",
                mapping={"size": str(size)},
            ),
            least=1,
            most=size,
        )
        answer = {
            "leaf_index": seq - 1,
            "tree_size": size,
            "audit_path": [node.hex() for node in log.tree.inclusion_path(seq - 1, size)],
        }
        # The proof is public; what the entry says is for those who may read the journal.
        if api.user.has_permission(READ_JOURNAL, obj=self.context):
            answer["entry"] = dict(log.sequenced[seq])
        return answer
