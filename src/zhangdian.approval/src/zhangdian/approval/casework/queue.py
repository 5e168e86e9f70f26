"""An approver's queue of applications and their figures."""

from datetime import date
from plone import api
from zhangdian.approval.clock import bureau_day
from zhangdian.approval.clock import now
from zhangdian.approval.rules.application import DECIDED_STATES
from zhangdian.approval.rules.application import OPEN_STATES
from zhangdian.approval.rules.application import may_act
from zhangdian.approval.rules.application import may_act_on_matter
from zhangdian.approval.rules.deadlines import decided_on_time


def applications_for_queue(userid, states=OPEN_STATES, matter_code=None, at=None):
    """Applications `userid` may act on now, due date first (no due date last)."""
    query = {
        "portal_type": "Application",
        "review_state": list(states),
        "allowedRolesAndUsers": f"user:{userid}",
        "unrestricted": True,
    }
    if matter_code:
        query["matter_code"] = matter_code
    brains = api.content.find(**query)
    # The index may lag behind an expiry nobody has run yet: ask the rule itself, with the
    # authorisation lookup asked once per matter (recusal is per application).
    verdicts = {}

    def on_matter(userid, application, at):
        if application.matter not in verdicts:
            verdicts[application.matter] = may_act_on_matter(userid, application, at)
        return verdicts[application.matter]

    result = []
    for brain in brains:
        application = brain._unrestrictedGetObject()
        if may_act(userid, application, at, on_matter=on_matter).allowed:
            result.append(application)
    far = date.max
    result.sort(key=lambda app: (app.due_date or far, app.submitted_at or now()))
    return result


def approver_statistics(userid, at=None):
    """Decided today / this month and the on-time rate of the approver's decisions."""
    moment = at or now()
    today = bureau_day(moment)
    brains = api.content.find(
        portal_type="Application",
        decided_by=userid,
        review_state=list(DECIDED_STATES),
        unrestricted=True,
    )
    decided = [brain._unrestrictedGetObject() for brain in brains]
    days = [bureau_day(app.decided_at) for app in decided]
    on_time = [decided_on_time(app) for app in decided]
    timed = [flag for flag in on_time if flag is not None]
    return {
        "decided_today": sum(1 for day in days if day == today),
        "decided_this_month": sum(
            1 for day in days if (day.year, day.month) == (today.year, today.month)
        ),
        "decided_total": len(decided),
        "on_time_rate": round(sum(timed) / len(timed), 4) if timed else None,
    }
