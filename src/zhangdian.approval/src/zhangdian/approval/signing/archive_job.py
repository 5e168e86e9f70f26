"""The archive-timestamp job: renew decisions' document timestamps before the TSA ages out.

Cron-safe and safe twice: a decision is renewed only while its last document timestamp's TSA
certificate expires within the margin, and a renewed one is not due again until the new
timestamp's certificate is. The signed revision stays a prefix of the stored PDF, so the
journal's `document_sha256` still names the decision as signed.
"""

from datetime import timedelta
from plone import api
from zhangdian.approval.casework.decisions import store_decision_document
from zhangdian.approval.roster.certificates import trust_anchors
from zhangdian.approval.settings import signing_setting
from zhangdian.approval.signing.long_term import archive_timestamp_due
from zhangdian.approval.signing.long_term import renew_archive_timestamp


DEFAULT_MARGIN = timedelta(days=90)


def renew_due_archive_timestamps(margin=DEFAULT_MARGIN, at=None):
    """Renew every decided application's archive timestamp that is due; their numbers."""
    url = signing_setting("timestamp_url")
    if not url:
        return []
    anchors = [*trust_anchors(), *trust_anchors("timestamp_anchors")]
    renewed = []
    for brain in api.content.find(portal_type="Application", unrestricted=True):
        application = brain._unrestrictedGetObject()
        document = application.decision_document
        if document is None or not archive_timestamp_due(document.data, margin, at):
            continue
        store_decision_document(application, renew_archive_timestamp(document.data, anchors, url))
        renewed.append(application.number)
    return renewed
