"""The e-mails that keep the applicant informed: accepted, supplement needed, decided."""

from plone import api
from zhangdian.approval.casework.decisions import BUREAU_NAME
from zhangdian.approval.casework.public import STATUS_VIEW
from zhangdian.approval.casework.public import public_url

import logging
import transaction


logger = logging.getLogger(__name__)


def applicant_email(application):
    """The contact e-mail given, else the submitting member's (online only), else ''."""
    if application.contact_email:
        return application.contact_email
    if application.channel != "online":
        return ""
    owner = application.getOwner()
    user = api.user.get(userid=owner.getId()) if owner else None
    return (user.getProperty("email") or "") if user else ""


def notice_text(application, event):
    """Subject and body of the e-mail for `event` (accepted, supplement, transferred, decided)."""
    number = application.number
    matter = application.matter_object()
    title = matter.title if matter else application.matter
    link = public_url(STATUS_VIEW, application, with_code=True)
    if event == "accepted":
        due = application.due_date.isoformat() if application.due_date else ""
        subject = f"【已受理】{number} {title}"
        body = (
            f"您的申请 {number}（{title}）已受理，承诺办结日期：{due}。\n\n"
            f"Your application {number} ({title}) has been accepted; it will be decided by {due}."
        )
    elif event == "supplement":
        text = application.supplement_notices[-1]["text"]
        subject = f"【补正材料一次性告知】{number} {title}"
        body = (
            f"您的申请 {number}（{title}）需要补正材料，"
            f"请一次性补齐以下内容后重新提交：\n{text}\n\n"
            f"Your application {number} needs the materials listed above before it can go on. "
            "The time limit is paused until you resubmit."
        )
    elif event == "transferred":
        subject = f"【转为一般程序】{number} {title}"
        body = (
            f"您的申请 {number}（{title}）已转为一般程序办理，原因：{application.transfer_reason}\n"
            "我局将按一般程序审查并作出决定，办理进度可在以下地址查询。\n\n"
            f"Your application {number} has left the one-approver procedure and is decided in "
            "the ordinary procedure, for the reason above; follow it here:"
        )
    else:
        outcome = "准予行政许可" if application.decision == "approved" else "不予行政许可"
        english = "approved" if application.decision == "approved" else "refused"
        subject = f"【{outcome}】{number} {title}"
        body = (
            f"您的申请 {number}（{title}）已作出决定：{outcome}。决定书可在以下地址下载：\n\n"
            f"Your application {number} has been {english}. Download the decision here:"
        )
    return subject, f"{body}\n\n{link}\n\n{BUREAU_NAME}\n"


def notify_applicant(application, event):
    """E-mail the applicant about `event` once it is committed; a mail failure undoes nothing.

    Plone's MailHost joins the transaction and asks the SMTP server in its vote, so a mail
    server that is down would abort the acceptance or the signed decision with it. The mail
    is therefore sent after the commit, and only if the commit succeeded.
    """
    address = applicant_email(application)
    if not address:
        return False
    subject, body = notice_text(application, event)
    transaction.get().addAfterCommitHook(
        _send_if_committed, args=(address, subject, body, application.number)
    )
    return True


def _send_if_committed(committed, address, subject, body, number):
    """Send the notice now that the change it tells of is stored; log a failure."""
    if not committed:
        return
    try:
        api.portal.send_email(recipient=address, subject=subject, body=body, immediate=True)
    except Exception:
        # The state change is what counts; the status page shows it in any case.
        logger.exception("Could not e-mail %s about %s", address, number)
