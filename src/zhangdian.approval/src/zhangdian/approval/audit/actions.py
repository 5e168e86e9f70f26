"""The journal's action ids as people read them: one translated title per action."""

from zhangdian.approval import _


ACTION_TITLES = {
    "application.submitted": _("journal_application_submitted", default="Application submitted"),
    "application.accept": _("journal_application_accept", default="Application accepted"),
    "application.request_supplement": _(
        "journal_application_request_supplement", default="One-time notice of missing materials"
    ),
    "application.resubmit": _("journal_application_resubmit", default="Materials handed in again"),
    "application.approve": _("journal_application_approve", default="Application approved"),
    "application.refuse": _("journal_application_refuse", default="Application refused"),
    "application.withdraw": _("journal_application_withdraw", default="Application withdrawn"),
    "application.read": _("journal_application_read", default="Decided case viewed by oversight"),
    "application.evidence_exported": _(
        "journal_application_evidence_exported", default="Evidence bundle downloaded"
    ),
    "application.change_refused": _(
        "journal_application_change_refused", default="Change of a case refused"
    ),
    "authorization.created": _("journal_authorization_created", default="Authorisation drafted"),
    "authorization.modified": _("journal_authorization_modified", default="Authorisation changed"),
    "authorization.propose": _("journal_authorization_propose", default="Authorisation proposed"),
    "authorization.send_back": _(
        "journal_authorization_send_back", default="Authorisation sent back"
    ),
    "authorization.grant": _("journal_authorization_grant", default="Authorisation granted"),
    "authorization.suspend": _("journal_authorization_suspend", default="Authorisation suspended"),
    "authorization.reinstate": _(
        "journal_authorization_reinstate", default="Authorisation reinstated"
    ),
    "authorization.revoke": _("journal_authorization_revoke", default="Authorisation revoked"),
    "authorization.expire": _("journal_authorization_expire", default="Authorisation expired"),
    "matter.added": _("journal_matter_added", default="Matter added"),
    "matter.edited": _("journal_matter_edited", default="Matter edited"),
    "matter.publish": _("journal_matter_publish", default="Matter published"),
    "matter.suspend": _("journal_matter_suspend", default="Matter suspended"),
    "matter.resume": _("journal_matter_resume", default="Matter resumed"),
    "spotcheck.drawn": _("journal_spotcheck_drawn", default="Spot-check sample drawn"),
    "spotcheck.compliant": _("journal_spotcheck_compliant", default="Spot check: compliant"),
    "spotcheck.problem": _("journal_spotcheck_problem", default="Spot check: problem found"),
    "spotcheck.corrected": _("journal_spotcheck_corrected", default="Spot-check finding corrected"),
    "spotcheck.entries_migrated": _(
        "journal_spotcheck_entries_migrated", default="Spot-check entries migrated"
    ),
    "callback.recorded": _("journal_callback_recorded", default="Call-back recorded"),
    "callback.corrected": _("journal_callback_corrected", default="Call-back corrected"),
    "oversight.change_refused": _(
        "journal_oversight_change_refused", default="Change of an oversight record refused"
    ),
    "settings.changed": _("journal_settings_changed", default="Setting changed"),
    "settings.proposed": _("journal_settings_proposed", default="Setting change proposed"),
    "settings.confirmed": _("journal_settings_confirmed", default="Setting change confirmed"),
    "settings.withdrawn": _("journal_settings_withdrawn", default="Setting change withdrawn"),
    "login.failed": _("journal_login_failed", default="Login failed"),
    "login.locked": _("journal_login_locked", default="Account locked after failed logins"),
    "login.unlocked": _("journal_login_unlocked", default="Account unlocked"),
    "signing.pin_wrong": _("journal_signing_pin_wrong", default="Wrong PIN of a signing key"),
    "signing.pin_unlock": _("journal_signing_pin_unlock", default="Signing key unlocked"),
}


def action_title(action):
    """The translatable title of journal action `action`; the id itself for an unknown one."""
    return ACTION_TITLES.get(action, action)
