"""GET @approval-queue: the applications the current approver may act on, due date first."""

from plone import api
from plone.restapi.batching import HypermediaBatch
from plone.restapi.services import Service
from zhangdian.approval import _
from zhangdian.approval.body import check_batching
from zhangdian.approval.casework.queue import applications_for_queue
from zhangdian.approval.casework.queue import approver_statistics
from zhangdian.approval.errors import BadInput
from zhangdian.approval.roster.queries import is_authorized_somewhere
from zhangdian.approval.rules.application import OPEN_STATES
from zhangdian.approval.services.summaries import application_summary


class ApprovalQueueGet(Service):
    """The approver's queue with optional review_state and matter filters, and statistics."""

    def reply(self):
        form = self.request.form
        states = form.get("review_state") or list(OPEN_STATES)
        if isinstance(states, str):
            states = [states]
        unknown = [state for state in states if state not in OPEN_STATES]
        if unknown:
            raise BadInput(
                _(
                    "error_queue_state",
                    default="The queue holds open applications only; review_state must be one "
                    "of ${states}.",
                    mapping={"states": ", ".join(OPEN_STATES)},
                )
            )
        check_batching(self.request)
        userid = api.user.get_current().getId()
        matter = str(form.get("matter", "") or "").strip().upper() or None
        # Batched like plone.restapi's listings (b_start, b_size 25): a full summary of every
        # open application took seconds for an approver with thousands of them.
        batch = HypermediaBatch(
            self.request, applications_for_queue(userid, states=states, matter_code=matter)
        )
        answer = {
            "@id": batch.canonical_url,
            "authorized": is_authorized_somewhere(userid),
            "items_total": batch.items_total,
            "items": [application_summary(application) for application in batch],
            "statistics": approver_statistics(userid),
        }
        if batch.links:
            answer["batching"] = batch.links
        return answer
