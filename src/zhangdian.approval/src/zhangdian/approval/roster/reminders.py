"""E-mail reminders 30 and 7 days before an authorisation ends."""

from plone import api
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.rules.authorization import ACTIVE


REMINDER_DAYS = (30, 7)


def reminders_due(authorization, at=None):
    """The reminder threshold (30 or 7 days) now due for an authorisation, or None."""
    days_left = (authorization.valid_until - bureau_day(at)).days
    sent = getattr(authorization, "reminders_sent", ()) or ()
    due = [days for days in REMINDER_DAYS if 0 <= days_left <= days and days not in sent]
    # After a missed cron run only the nearest reminder goes out, not both at once.
    return min(due) if due else None


def send_reminders(at=None):
    """E-mail approvers and the working group 30 and 7 days before an authorisation ends."""
    sent = []
    brains = api.content.find(
        portal_type="ApproverAuthorization", review_state=ACTIVE, unrestricted=True
    )
    recipients = working_group_emails()
    for brain in brains:
        authorization = brain._unrestrictedGetObject()
        threshold = reminders_due(authorization, at)
        if threshold is None:
            continue
        approver = api.user.get(userid=authorization.approver)
        approver_email = approver.getProperty("email") if approver else ""
        addresses = sorted({*recipients, approver_email} - {""})
        if addresses:
            api.portal.send_email(
                recipient=", ".join(addresses),
                subject=f"【授权到期提醒】{authorization.approver} 的独立审批授权将于 "
                f"{authorization.valid_until.isoformat()} 到期",
                body=reminder_text(authorization, threshold),
            )
        authorization.reminders_sent = (
            *(getattr(authorization, "reminders_sent", ()) or ()),
            threshold,
        )
        sent.append((authorization, threshold))
    return sent


def working_group_emails():
    """E-mail addresses of everyone holding ApprovalAdministrator, directly or by group."""
    addresses = {
        user.getProperty("email") or ""
        for user in api.user.get_users()
        if "ApprovalAdministrator" in api.user.get_roles(user=user)
    }
    return sorted(addresses - {""})


def reminder_text(authorization, days):
    """The body of a reminder, in Chinese with the English below (a bilingual bureau)."""
    until = authorization.valid_until.isoformat()
    return (
        f"{authorization.approver} 的独立审批员授权将于 {until} 到期（剩余不超过 {days} 天）。\n"
        "授权期限为一年，到期后须重新授权：请工作组及时办理续期（资格复核、年度考核结果）。\n"
        f"{authorization.absolute_url()}\n\n"
        f"The independent-approver authorisation of {authorization.approver} ends on {until} "
        f"(in {days} days or less). Please renew it in time.\n"
    )
